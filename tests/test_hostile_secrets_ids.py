"""Secrets in every form stay hidden; gateway ids of any shape are recorded (issue 18,
items 3 and 6 to 9; issue 14's ``newcomer_ro``)."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

import MySQLdb
import pytest
from click.testing import CliRunner, Result
from hostile_gateway import hostile_gateway
from mailing_factory import schedule_mailing, use_gateway

from civisms.civicrm.dbconn import translate
from civisms.cli import main
from civisms.config import DbParams, mask_url
from civisms.providers.base import DeliveryStatus, SendResult
from civisms.providers.pooled import HttpClient
from civisms.redact import scrub

if TYPE_CHECKING:
    from conftest import SiteDb

TOKEN = "Tw1lio€SecretToken"
SID = "AC0123456789abcdef0123456789abcdef"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def db_env(site: SiteDb, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVISMS_BACKEND", "db")
    monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    monkeypatch.setenv("CIVISMS_SOURCE_CONTACT_ID", "2")
    for name in ("CIVISMS_CONFIG", "CIVISMS_QUIET_HOURS", "CIVISMS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("url", [
    "mysql://root:S3cret/Pw@127.0.0.1/x", "mysql://root:S3#cret@127.0.0.1/x",
    "mysql://root:S3?cret@127.0.0.1/x", "mysql:root:S3cret@127.0.0.1/x",
    "mysql://root:S3cret@127.0.0.1:port/x", "mysql://root:S3cret", "postgres://u:S3cret@h/x",
])
def test_a_malformed_database_url_never_shows_its_password(
        url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVISMS_DB_URL", url)
    monkeypatch.delenv("CIVISMS_CONFIG", raising=False)
    for command in (["config"], ["check"], ["mailing", "list"]):
        result = invoke(*command)
        assert result.exit_code == 2, result.output
        assert "S3" not in result.output and "cret" not in result.output
        assert "CIVISMS_DB_URL" in result.output and len(result.output.splitlines()) == 1


def test_mask_url_keeps_what_can_be_shown() -> None:
    assert mask_url("mysql://newcomer_ro:ro@db:3306/civi") == "mysql://newcomer_ro:********@db:3306/civi"
    assert mask_url("https://admin:pw@crm.example.org/") == "https://admin:********@crm.example.org/"
    assert mask_url("mysql://root:S3cret/Pw@127.0.0.1/x") == "mysql://********@127.0.0.1/x"
    assert mask_url("https://crm.example.org/civicrm") == "https://crm.example.org/civicrm"


def test_short_password_never_garbles_the_user_name() -> None:
    # issue 14: the password "ro" turned newcomer_ro into newcomer_********.
    params = DbParams("127.0.0.1", 3306, "newcomer_ro", "ro", "civi")
    exc = MySQLdb.OperationalError(
        1142, "INSERT command denied to user 'newcomer_ro'@'localhost' for table 'x'")
    assert "'newcomer_ro'@'localhost'" in str(translate(exc, params))
    assert scrub("user=newcomer_ro password=ro&x", ["ro"]) == "user=newcomer_ro password=********&x"
    assert scrub("pw abc.", ["abc"]) == "pw ********."  # three characters are scrubbed too


def test_urls_with_credentials_are_masked_by_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIVISMS_CONFIG", raising=False)
    monkeypatch.setenv("CIVISMS_BACKEND", "api4")
    monkeypatch.setenv("CIVISMS_API_URL", "https://admin:hunter2pw@crm.example.org/")
    monkeypatch.setenv("CIVISMS_DB_URL", "mysql://newcomer_ro:ro@127.0.0.1/civi")
    for args in (["config"], ["config", "--json"]):
        result = invoke(*args)
        assert result.exit_code == 0
        assert "hunter2pw" not in result.output and "admin:********@crm" in result.output
        assert "newcomer_ro:********@" in result.output
    monkeypatch.setenv("CIVISMS_API_URL", "ftp://admin:hunter2pw@crm.example.org/")
    bad = invoke("config")
    assert bad.exit_code == 2 and "hunter2pw" not in bad.output


def test_provider_urls_with_credentials_are_masked_everywhere(site: SiteDb, db_env: None) -> None:
    site.execute("UPDATE civicrm_sms_provider SET api_url = 'https://u:hunter2pw@gw.example/', "
                 "api_params = CONCAT(api_params, '\nStatusCallback=https://cb:cbpass9@h/x') "
                 "WHERE id = 3")
    for args in (["check", "--json"], ["check"], ["providers", "list"],
                 ["providers", "list", "--json"]):
        result = invoke(*args)
        assert "hunter2pw" not in result.output and "cbpass9" not in result.output, args


def test_basic_auth_is_utf8_and_an_echoed_header_is_scrubbed() -> None:
    client = HttpClient("Twilio (t)", timeout=5, secrets=(TOKEN,))
    with hostile_gateway(mode="echo_auth") as gw:
        resp = client.request("POST", gw.url + "/x", data={"a": "b"}, auth=(SID, TOKEN))
    sent = gw.requests[0]["authorization"].removeprefix("Basic ")
    assert base64.b64decode(sent).decode() == f"{SID}:{TOKEN}"
    assert resp.status == 401 and sent in resp.text
    forms = (TOKEN, base64.b64encode(f"{SID}:{TOKEN}".encode()).decode())
    assert sent not in scrub(resp.text, forms)


def test_twilio_echoing_the_authorization_header_leaks_nothing(
        site: SiteDb, db_env: None) -> None:
    with hostile_gateway(mode="echo_auth") as gw:
        use_gateway(site, gw.url)
        site.execute("UPDATE civicrm_sms_provider SET password = %s WHERE id = 3", [TOKEN])
        for args in (["providers", "test", "3", "--to", "+14155550111"],
                     ["send", "--contact", "3", "--provider", "3", "--name", "N",
                      "--text", "Hi", "--yes"]):
            result = invoke(*args)
            assert result.exit_code == 1 and "Traceback" not in result.output, result.output
            encoded = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
            assert TOKEN not in result.output and encoded not in result.output
        mailing = schedule_mailing(site)
        invoke("jobs", "run", "--once", "--no-progress")
        stored = json.dumps(site.query(
            "SELECT a.location, a.details FROM civicrm_activity a"), default=str)
        stored += json.dumps(site.query("SELECT * FROM civisms_mailing_pause"), default=str)
        assert "authentication" in stored and mailing
        assert TOKEN not in stored and encoded not in stored and "Tw1lio" not in stored


@pytest.mark.parametrize("odd", ["SM" + "9" * 5000, ["SMa", "SMb"], {"a": 1}, 12345])
def test_gateway_ids_of_any_shape_are_recorded(odd: Any, site: SiteDb, db_env: None) -> None:
    with hostile_gateway(mode="odd_id", odd_id=odd) as gw:
        use_gateway(site, gw.url)
        result = invoke("send", "--group", "SMS Supporters", "--provider", "3", "--name", "N",
                        "--text", "Hi", "--yes")
        assert result.exit_code == 0, result.output
        mailing = schedule_mailing(site)
        invoke("jobs", "run", "--once", "--no-progress")
    results = [r["result"] for r in site.query(
        "SELECT a.result FROM civicrm_activity a JOIN civicrm_option_value ov "
        "ON ov.value = a.activity_type_id AND ov.name = 'SMS delivery' "
        "JOIN civicrm_option_group og ON og.id = ov.option_group_id "
        "AND og.name = 'activity_type'")]
    states = site.query("SELECT * FROM civisms_queue_state")
    assert len(results) == gw.accepted >= 2, [s for s in states if s["state"] != "sent"]
    expected = json.dumps(odd, sort_keys=True) if isinstance(odd, list | dict) else str(odd)
    assert set(results) == {expected[:255]}
    states = site.query("SELECT state, COUNT(*) AS n FROM civisms_queue_state GROUP BY state")
    assert {r["state"] for r in states} == {"sent"}
    assert site.scalar("SELECT is_completed FROM civicrm_mailing WHERE id = %s", [mailing])


def test_send_result_bounds_what_it_records() -> None:
    result = SendResult(provider="t", message_id=["a", 1], status=DeliveryStatus.ACCEPTED,  # type: ignore[arg-type]
                        to="+1", segments="two", part_ids=("x" * 300, None))  # type: ignore[arg-type]
    assert result.message_id == '["a", 1]' and result.segments is None
    assert result.part_ids == ("x" * 255,)
