"""Careless or crafted input: one line and the documented exit code, never a traceback, a
hang or all the memory (issue 18, items 10 to 15)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import responses
from click.testing import CliRunner, Result
from hostile_gateway import hostile_gateway
from mailing_factory import schedule_mailing, use_gateway

from civisms.civicrm.api4_client import Api4Client
from civisms.cli import main
from civisms.errors import CiviCRMError, ConfigError, ProviderError
from civisms.model import SmsProvider
from civisms.providers.base import OutboundMessage
from civisms.providers.local import LocalProvider
from civisms.providers.vonage import VonageProvider

if TYPE_CHECKING:
    from conftest import SiteDb


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def one_line(result: Result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.fixture
def db_env(site: SiteDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVISMS_BACKEND", "db")
    monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    monkeypatch.setenv("CIVISMS_SOURCE_CONTACT_ID", "2")
    monkeypatch.setenv("CIVISMS_OUTBOX", str(tmp_path / "outbox" / "outbox.jsonl"))
    for name in ("CIVISMS_CONFIG", "CIVISMS_QUIET_HOURS", "CIVISMS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)


def _specials(tmp_path: Path) -> list[str]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    return ["/dev/zero", "/dev/urandom", str(fifo), "/proc/self/mem"]


def test_files_that_are_not_regular_files_are_refused(tmp_path: Path, site: SiteDb,
                                                       db_env: None) -> None:
    for path in _specials(tmp_path):
        for args in (["text", "check", "--file", path],
                     ["send", "--contact", "3", "--name", "N", "--file", path, "--dry-run"],
                     ["send", "--contacts-file", path, "--name", "N", "--text", "x", "--dry-run"],
                     ["mailing", "create", "--name", "M", "--provider", "2",
                      "--include-group", "2", "--file", path]):
            line = one_line(invoke(*args), 2)
            assert "cannot read" in line and path in line, line
        assert "CIVISMS_CONFIG" in one_line(invoke("--config", path, "config"), 2)


def test_a_file_over_the_limit_is_read_no_further(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 1_000_001)
    assert "more than 1,000,000 bytes" in one_line(invoke("text", "check", "--file", str(big)), 2)


def _local_row(params: str) -> SmsProvider:
    return SmsProvider(id=9, name="org.civisms.local", title="Local", username=None,
                       password=None, api_type="http", api_url="", api_params={
                           k: v for k, _, v in (p.partition("=") for p in params.splitlines())},
                       is_active=True, is_default=False, api_params_raw=params)


def test_local_outbox_is_private_and_stays_in_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "var"
    provider = LocalProvider.from_row(_local_row(""), outbox=folder / "outbox.jsonl")
    provider.send(OutboundMessage("+15558675310", "secret text"))
    provider.close()
    assert stat.S_IMODE((folder / "outbox.jsonl").stat().st_mode) == 0o600
    named = LocalProvider.from_row(_local_row("outbox=other.jsonl"), outbox=folder / "o.jsonl")
    named.send(OutboundMessage("+15558675310", "x"))
    named.close()
    assert (folder / "other.jsonl").exists()
    for escape in ("/etc/cron.d/x", "../escape.jsonl", str(tmp_path / "x.jsonl")):
        with pytest.raises(ConfigError, match="a file inside"):
            LocalProvider.from_row(_local_row(f"outbox={escape}"), outbox=folder / "o.jsonl")


def test_local_outbox_on_a_full_disk_is_one_line(tmp_path: Path, site: SiteDb,
                                                 db_env: None, monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    monkeypatch.setenv("CIVISMS_OUTBOX", "/dev/full")
    line = one_line(invoke("providers", "test", "2", "--to", "+14155550199"), 1)
    assert "cannot write the outbox" in line


def test_from_contact_must_exist(site: SiteDb, db_env: None) -> None:
    before = site.scalar("SELECT COUNT(*) FROM civicrm_activity")
    for bad in ("999999", "-5"):
        line = one_line(invoke("send", "--contact", "3", "--name", "N", "--text", "Hi",
                               "--from-contact", bad, "--yes"), 2)
        assert "--from-contact" in line and "no such contact" in line
    assert site.scalar("SELECT COUNT(*) FROM civicrm_activity") == before


@pytest.mark.parametrize("typed", ["²", "٣", "9" * 5000, "99999999999"])
def test_odd_ids_are_one_line(typed: str, site: SiteDb, db_env: None) -> None:
    for args in (["send", "--contact", typed, "--name", "N", "--text", "x", "--dry-run"],
                 ["send", "--group", typed, "--name", "N", "--text", "x", "--dry-run"],
                 ["send", "--contact", "3", "--template", typed, "--name", "N", "--dry-run"],
                 ["providers", "test", typed, "--to", "+14155550199"]):
        line = one_line(invoke(*args), 2)
        assert len(line) < 400


def test_contacts_csv_is_parsed_strictly(tmp_path: Path, site: SiteDb, db_env: None) -> None:
    unclosed = tmp_path / "unclosed.csv"
    unclosed.write_text('id,name\n3,"Bob\n4,Al\n5,C\n6,D\n7,E\n')
    line = one_line(invoke("send", "--contacts-file", str(unclosed), "--name", "N",
                           "--text", "x", "--dry-run"), 2)
    assert "line 2" in line and "CSV" in line
    wide = tmp_path / "wide.csv"
    wide.write_text("id,note\n3," + "x" * 200_000 + "\n")
    assert "line 2" in one_line(invoke("send", "--contacts-file", str(wide), "--name", "N",
                                       "--text", "x", "--dry-run"), 2)


@pytest.mark.parametrize("param", ["civisms_pool=inf", "civisms_timeout=1e300",
                                   "civisms_mps=1e-300", "civisms_mps=nan"])
def test_provider_tuning_out_of_range(param: str, site: SiteDb, db_env: None) -> None:
    site.execute("UPDATE civicrm_sms_provider SET is_active = 1, "
                 "api_params = CONCAT(api_params, %s) WHERE id = 3", ["\n" + param])
    listed = invoke("providers", "list")
    assert listed.exit_code == 0 and "Traceback" not in listed.output
    assert param.split("=")[0] in listed.output
    line = one_line(invoke("providers", "test", "3", "--to", "+14155550199"), 2)
    assert param.split("=")[0] in line


@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_jobs_run_refuses_a_rate_that_is_no_number(value: str, site: SiteDb,
                                                   db_env: None) -> None:
    result = invoke("jobs", "run", "--once", "--mps", value)
    assert result.exit_code == 2 and "--mps" in result.output


def test_a_name_too_long_for_civicrm_is_an_input_error(site: SiteDb, db_env: None) -> None:
    line = one_line(invoke("mailing", "create", "--name", "N" * 300, "--provider", "2",
                           "--include-group", "2", "--text", "Hi"), 2)
    assert "'name'" in line


@responses.activate
def test_gateway_and_api_answers_of_the_wrong_shape() -> None:
    responses.post("https://rest.nexmo.com/sms/json", json={"messages": ["x"]})
    row = SmsProvider(id=5, name="org.civicrm.sms.vonage", title="V", username="k",
                      password="secretsecret", api_type="http", api_url="https://rest.nexmo.com",
                      api_params={"from": "+15550000000"}, is_active=True, is_default=False,
                      api_params_raw="from=+15550000000")
    vonage = VonageProvider.from_row(row)
    with pytest.raises(ProviderError):
        vonage.send(OutboundMessage("+15558675310", "x"))
    responses.post("https://crm.example.org/civicrm/ajax/api4/Contact/get",
                   json={"error_message": "nope", "status": "abc"}, status=500)
    with pytest.raises(CiviCRMError, match="nope"):
        Api4Client("https://crm.example.org", "key").call("Contact", "get")


def test_terminal_escapes_are_shown_escaped(site: SiteDb, db_env: None) -> None:
    site.execute("UPDATE civicrm_contact SET first_name = %s WHERE id = 3",
                 ["Al\x1b[1A\x1b[2Kice"])
    result = invoke("send", "--contact", "3", "--name", "N", "--text",
                    "Hi {contact.first_name}", "--dry-run")
    assert result.exit_code == 0 and "\x1b" not in result.output
    assert "Al\\x1b[1A\\x1b[2Kice" in result.output
    with hostile_gateway(mode="odd_id", odd_id="SM\x1b[2Kx") as gw:
        use_gateway(site, gw.url)
        sent = invoke("providers", "test", "3", "--to", "+14155550199")
    assert sent.exit_code == 0 and "\x1b" not in sent.output and "SM\\x1b[2Kx" in sent.output


def test_negative_mailer_job_size_still_sends(site: SiteDb, db_env: None) -> None:
    site.execute("DELETE FROM civicrm_setting WHERE name = 'mailerJobSize'")
    site.execute("INSERT INTO civicrm_setting (name, value, domain_id, is_domain) "
                 "VALUES ('mailerJobSize', 'i:-5;', 1, 1)")
    with hostile_gateway(mode="odd_id", odd_id="SM1") as gw:
        use_gateway(site, gw.url)
        mailing = schedule_mailing(site)
        result = invoke("jobs", "run", "--once", "--no-progress")
    assert result.exit_code == 0, result.output
    assert gw.accepted == site.scalar(
        "SELECT COUNT(*) FROM civicrm_mailing_recipients WHERE mailing_id = %s", [mailing]) > 0
    assert site.scalar("SELECT is_completed FROM civicrm_mailing WHERE id = %s", [mailing])
