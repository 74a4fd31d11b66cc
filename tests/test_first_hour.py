"""What a CiviCRM admin meets in the first hour: settings, readable answers, refusals.

Each test runs the ``civisms`` command as a user would, on a private copy of the sample
site, and reads what a person reads.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from cli_on_site import cli_on
from click.testing import CliRunner, Result

from civisms.cli import main
from civisms.config import Settings

if TYPE_CHECKING:
    from conftest import SiteDb


@pytest.fixture
def run(site: SiteDb, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    return cli_on(site, monkeypatch, tmp_path)


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- settings ---------------------------------------------------------------------------------


def test_a_mistyped_toml_key_names_the_closest_setting(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "civisms.toml"
    path.write_text('db_ulr = "mysql://civisms@127.0.0.1/civicrm"\n')
    result = run("--config", str(path), "config")
    assert result.exit_code == 2
    assert "key 'db_ulr'" in result.stderr and "'db_url' (CIVISMS_DB_URL)" in result.stderr
    path.write_text('[civisms]\nquiet_hours = "21:00-08:00"\ntimezone = "Europe/Paris"\n')
    shown = _json(run("--config", str(path), "config", "--json"))
    assert (shown["quiet_hours"], shown["timezone"]) == ("21:00-08:00", "Europe/Paris")


def test_help_config_and_readme_list_every_setting(run: Any) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    helped = run("--help").stdout
    listed = run("config").stdout
    for name in Settings.model_fields:
        setting = f"CIVISMS_{name.upper()}"
        assert setting in helped, setting
        # A row may name several, as `CIVISMS_STOP_REPLY`, `_START_REPLY`.
        assert f"`{setting}`" in table or f"`_{name.upper()}`" in table, setting
        assert setting in listed, setting
    assert "Connect your own CiviCRM" in helped
    assert "## Connect your own CiviCRM" in readme


# -- answers a person can read ------------------------------------------------------------------


def test_mailing_show_list_and_skip_lines_read_as_words(run: Any) -> None:
    made = run("mailing", "create", "--name", "Spring", "--include-group", "SMS Supporters",
               "--exclude-group", "3", "--text", "Hi {contact.first_name}!")
    assert made.exit_code == 0, made.output
    assert "created mailing 1 (Draft): 4 recipients" in made.stdout
    assert "  skipped 1 contact: no mobile phone (no_mobile)" in made.stdout
    assert "{'" not in made.stdout
    shown = run("mailing", "show", "1").stdout
    assert "include groups:    'SMS Supporters' (2)" in shown
    assert "exclude groups:    'Board Members' (3)" in shown
    assert "provider:          'Local outbox' (2)" in shown
    assert "None" not in shown and "[" not in shown
    listed = run("mailing", "list").stdout.splitlines()
    assert listed[0].split() == ["id", "status", "scheduled", "recipients", "name"]
    assert listed[1].split()[:3] == ["1", "Draft", "-"]


def test_preview_for_a_skipped_contact_says_so_and_why(run: Any) -> None:
    run("mailing", "create", "--name", "Spring", "--include-group", "2", "--text", "Hi!")
    out = run("mailing", "preview", "1", "--contact", "4")
    assert "contact 4 is skipped: no mobile phone (no_mobile)" in out.stdout
    data = _json(run("mailing", "preview", "1", "--contact", "4", "--json"))
    assert (data["contact_texted"], data["contact_skipped_reason"]) == (False, "no_mobile")
    data = _json(run("mailing", "preview", "1", "--contact", "3", "--json"))
    assert (data["contact_texted"], data["contact_skipped_reason"]) == (True, None)
    run("mailing", "schedule", "1", "--now")
    out = run("mailing", "preview", "1", "--contact", "6")  # scheduled: rules read again
    assert "contact 6 is skipped: marked Do not SMS (do_not_sms)" in out.stdout


def test_an_inactive_group_is_warned_about(run: Any) -> None:
    out = run("mailing", "create", "--name", "Old", "--include-group", "8", "--text", "Hi")
    assert out.exit_code == 0, out.output
    assert "group 8" in out.stderr and "disabled in CiviCRM" in out.stderr
    out = run("mailing", "create", "--name", "New", "--include-group", "2", "--text", "Hi")
    assert "disabled" not in out.stderr


def test_text_check_caps_its_lists(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "emoji.txt"
    path.write_text("😀" * 5000 + "’" * 100, encoding="utf-8")
    out = run("text", "check", "--file", str(path))
    assert out.exit_code == 1  # over the policy
    lines = out.stdout.splitlines()
    assert len(lines) < 40
    assert "non-GSM:     ... and 5,080 more" in lines
    assert "... and 4,620 more characters" in out.stdout


def test_paused_mailing_says_why_and_what_to_do(run: Any, site: SiteDb) -> None:
    from civisms.civicrm.db import DbCiviCRM
    from civisms.civicrm.jobstore import JobStore

    run("mailing", "create", "--name", "Spring", "--include-group", "2", "--text", "Hi!")
    run("mailing", "schedule", "1", "--now")
    with DbCiviCRM.from_settings(site.settings()) as civicrm:
        store = JobStore(civicrm, "test:1")
        store.prepare()
        store.pause_mailing(1, "gateway refused the credentials (HTTP 401)",
                            datetime(2026, 12, 4, 9, 30))
    out = run("mailing", "status", "1")
    assert "paused by civisms at 2026-12-04 09:30: gateway refused the credentials" in out.stdout
    assert "civisms mailing resume 1" in out.stdout
    data = _json(run("mailing", "status", "1", "--json"))
    assert data["paused_by_civisms"]["reason"].startswith("gateway refused")
    assert "civisms mailing resume 1" in data["paused_by_civisms"]["what_to_do"]


def test_schedule_and_status_show_the_expected_duration_at_the_provider_rate(
    run: Any, site: SiteDb
) -> None:
    site.execute("UPDATE civicrm_sms_provider SET api_params = 'From=+1555\ncivisms_mps=0.001' "
                 "WHERE id = 2")
    run("mailing", "create", "--name", "Slow", "--include-group", "2", "--text", "Hi!")
    out = run("mailing", "schedule", "1", "--now")
    assert "expected duration: about 83 min for 5 messages (5 segments) at 0.001 " \
           "segments/s, the rate of provider 2 'Local outbox'" in out.stdout
    assert "civisms_mps=N" in out.stdout
    data = _json(run("mailing", "status", "1", "--json"))
    assert data["pace"]["mps"] == 0.001 and data["pace"]["expected_seconds"] == 5000
    check = _json(run("check", "--json"))
    rates = {p["id"]: p["mps"] for p in check["providers"]}
    assert rates[2] == 0.001 and rates[1] is None  # provider 1 has no adapter


# -- refusals before anything is written ---------------------------------------------------------


def test_a_provider_without_adapter_is_refused_before_anything_is_written(
    run: Any, site: SiteDb
) -> None:
    out = run("send", "--contact", "3", "--provider", "1", "--name", "x", "--text", "Hi",
              "--dry-run")
    assert out.exit_code == 2
    assert "SMS provider 1 'Loopback sink' (org.civisms.loopback) has no civisms adapter" \
        in out.stderr
    out = run("mailing", "create", "--name", "x", "--provider", "1", "--include-group", "2",
              "--text", "Hi")
    assert out.exit_code == 2 and "has no civisms adapter" in out.stderr
    assert site.scalar("SELECT COUNT(*) FROM civicrm_mailing") == 0
    run("mailing", "create", "--name", "x", "--include-group", "2", "--text", "Hi")
    site.execute("UPDATE civicrm_mailing SET sms_provider_id = 1")  # chosen in CiviCRM
    out = run("mailing", "schedule", "1", "--now")
    assert out.exit_code == 2 and "has no civisms adapter" in out.stderr
    assert site.scalar("SELECT COUNT(*) FROM civicrm_mailing_job") == 0


def test_a_national_number_without_region_names_the_setting(run: Any) -> None:
    out = run("providers", "test", "2", "--to", "0612345678")
    assert out.exit_code == 2
    assert "CIVISMS_DEFAULT_REGION" in out.stderr


# -- the database user of the README -----------------------------------------------------------


def _readme_grants(database: str, user: str) -> list[str]:
    """The SQL block of the README's "Connect your own CiviCRM", for ``database``/``user``."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Connect your own CiviCRM", 1)[1]
    block = section.split("```sql\n", 1)[1].split("```", 1)[0]
    block = block.replace("`civicrm`", f"`{database}`").replace("'civisms'@'localhost'", user)
    return [s.strip() for s in block.split(";") if s.strip()]


def test_the_readme_grants_are_enough_and_check_names_what_is_missing(
    site: SiteDb, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from urllib.parse import quote

    from civisms.civicrm import install

    user = f"civisms_t_{site.name[-8:]}"
    account = f"'{user}'@'%'"
    statements = _readme_grants(site.name, account)
    from civisms.civicrm.privileges import OWN, WRITE

    assert statements[0].startswith("CREATE USER")
    # One GRANT per table probed; OWN is every civisms_ table the sql/ folder creates.
    assert len(statements) == 2 + len(WRITE) + len(OWN)
    for table in OWN:
        assert any(f".`{table}` TO" in s for s in statements), f"README grants lack {table}"
    statements[0] = f"CREATE USER {account} IDENTIFIED BY 'pw-{user}'"
    p = site.params
    url = f"mysql://{user}:{quote('pw-' + user)}@{p.host}:{p.port}/{site.name}"
    monkeypatch.setenv("CIVISMS_DB_URL", url)
    monkeypatch.setenv("CIVISMS_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.delenv("CIVISMS_CONFIG", raising=False)

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args))

    with install.connection(p, "") as conn:
        cur = conn.cursor()
        try:
            cur.execute(statements[0])
            cur.execute(f"GRANT SELECT ON `{site.name}`.* TO {account}")  # read-only first
            read_only = run("check")
            sent_read_only = run("send", "--contact", "3", "--name", "x", "--text", "Hi",
                                 "--yes")
            for statement in statements[1:]:
                cur.execute(statement)
            check = run("check")
            send = run("send", "--group", "2", "--name", "x", "--text", "Hi", "--yes")
            made = run("mailing", "create", "--name", "m", "--include-group", "2",
                       "--text", "Hi {contact.first_name}")
            scheduled = run("mailing", "schedule", "1", "--now")
            jobs = run("jobs", "run", "--once", "--no-progress")
        finally:
            cur.execute(f"DROP USER IF EXISTS {account}")
    assert read_only.exit_code == 1
    assert f"the database user '{user}' lacks privileges civisms needs" in read_only.stderr
    assert "INSERT, UPDATE, INDEX on civicrm_activity;" in read_only.stderr
    assert "CREATE TEMPORARY TABLES on the database" in read_only.stderr
    assert sent_read_only.exit_code == 2 and "lacks a privilege" in sent_read_only.stderr
    assert check.exit_code == 0, check.output
    assert send.exit_code == 0, send.output
    assert made.exit_code == 0, made.output
    assert scheduled.exit_code == 0, scheduled.output
    assert jobs.exit_code == 0, jobs.output
    assert "sent 5, failed 0" in jobs.stdout


# -- jobs run ------------------------------------------------------------------------------------


def test_jobs_run_mailing_restricts_the_pass_and_says_what_is_still_due(run: Any) -> None:
    for name in ("first", "second"):
        made = run("mailing", "create", "--name", name, "--include-group", "2", "--text", "Hi")
        assert made.exit_code == 0, made.output
    run("mailing", "schedule", "1", "--now")
    run("mailing", "schedule", "2", "--now")
    only = run("jobs", "run", "--once", "--mailing", "2", "--no-progress")
    assert only.exit_code == 0, only.output
    assert "sent 5, failed 0, unknown 0" in only.stdout and "completed mailings: 2" in only.stdout
    assert _json(run("mailing", "status", "1", "--json"))["sent"] == 0  # left for later
    part = run("jobs", "run", "--once", "--job-size", "2", "--limit", "2", "--no-progress")
    assert "sent 2, failed 0" in part.stdout
    assert "3 more due (the next at " in part.stdout and "the next pass sends them" in part.stdout
    sent, completed = 0, []
    for _ in range(10):  # the children are due one second apart, as CiviCRM schedules them
        time.sleep(1)
        data = _json(run("jobs", "run", "--once", "--no-progress", "--json"))
        sent, completed = sent + data["total"]["sent"], completed + data["completed"]
        if not data["still_due"]:
            break
    assert (sent, completed, data["still_due"]) == (3, [1], 0)


def test_jobs_run_live_line_shows_the_total(run: Any) -> None:
    run("mailing", "create", "--name", "Live", "--include-group", "2", "--text", "Hi")
    run("mailing", "schedule", "1", "--now")
    out = run("jobs", "run", "--once", "--progress")
    assert out.exit_code == 0, out.output
    assert "sent         5 of 5" in out.stderr.replace("\r", "\n")

