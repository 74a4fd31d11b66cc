"""``civisms send`` against gateways that misbehave after reading the request.

Whatever the gateway does once it has read a request (answers after the timeout, resets
the connection, answers 500), that message reaches it exactly once, is reported
``unknown`` (in ``--json``, in the journal in the CiviCRM database) and the command exits
1 naming the settle command. Only an answer that certainly came before the gateway took
the message (429) is retried.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result
from fake_gateway import ACCEPTED, HANG, RATE_LIMITED, RESET, SERVER_ERROR, fake_twilio
from test_send import activities, contacts_of

from civisms.cli import main

if TYPE_CHECKING:
    from conftest import SiteDb

SENDER = 2
# Hélène, Carla, Frank and the Organization: four recipients with a mobile.
CONTACTS = ("9", "5", "8", "12")


@pytest.fixture
def run(site: SiteDb, tmp_path: Any, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CIVISMS_BACKEND", "db")
    monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    monkeypatch.setenv("CIVISMS_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.setenv("CIVISMS_SOURCE_CONTACT_ID", str(SENDER))
    monkeypatch.delenv("CIVISMS_CONFIG", raising=False)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def point_at(site: SiteDb, url: str, timeout: float = 0.5) -> None:
    site.execute(
        "UPDATE civicrm_sms_provider SET is_active = 1, api_url = %s, "
        "username = 'AC0123456789abcdef0123456789abcdef', password = 'tok3n', "
        "api_params = %s WHERE id = 3",
        [url, f"From=+15005550006\ncivisms_timeout={timeout:g}\ncivisms_mps=1000"])


def send(run, *extra: str) -> tuple[Result, dict[str, Any]]:  # type: ignore[no-untyped-def]
    args = [a for c in CONTACTS for a in ("--contact", c)]
    result = run("send", *args, "--provider", "3", "--name", "N", "--text", "Hi",
                 "--yes", "--json", *extra)
    return result, json.loads(result.stdout)


def delivery_count(site: SiteDb) -> int:
    return int(site.scalar(
        "SELECT COUNT(*) FROM civicrm_activity a JOIN civicrm_option_value v "
        "ON v.value = a.activity_type_id JOIN civicrm_option_group g ON g.id = v.option_group_id "
        "AND g.name = 'activity_type' WHERE v.name = 'SMS delivery'"))


def test_a_gateway_answering_after_the_timeout_gets_each_message_once(run, site: SiteDb) -> None:  # type: ignore[no-untyped-def]
    with fake_twilio(default=HANG, hang=1.5) as gateway:
        point_at(site, gateway.url)
        result, report = send(run)
    assert result.exit_code == 1, result.output
    assert Counter(gateway.requests_to()) == Counter(u["phone"] for u in report["unknown"])
    assert len(report["unknown"]) == len(gateway.requests) == len(CONTACTS)
    assert report["sent"] == [] and report["failed"] == [] and report["pending"] == []
    assert "--resolve-unknown" in result.stderr and "4 may or may not" in result.stderr
    states = site.query("SELECT state FROM civisms_outbox WHERE send_id = %s",
                        [report["send_id"]])
    assert [r["state"] for r in states] == ["unknown"] * 4  # visible in the CiviCRM database
    assert delivery_count(site) == 0  # never recorded as Cancelled

    # Settling them as failed sends nothing again.
    with fake_twilio() as again:
        point_at(site, again.url)
        result = run("send", "--resume", str(report["send_id"]), "--resolve-unknown", "failed",
                     "--json")
    assert again.requests == []
    assert len(json.loads(result.stdout)["failed"]) == 4


@pytest.mark.parametrize("answer", [RESET, SERVER_ERROR], ids=["reset", "500"])
def test_a_gateway_failing_after_reading_is_asked_once(run, site: SiteDb, answer: Any) -> None:  # type: ignore[no-untyped-def]
    with fake_twilio(script={"+14155550106": [answer]}) as gateway:
        point_at(site, gateway.url)
        result, report = send(run)
    assert result.exit_code == 1, result.output
    assert gateway.requests_to().count("+14155550106") == 1
    assert [u["phone"] for u in report["unknown"]] == ["+14155550106"]
    assert Counter(gateway.requests_to()) == Counter(
        [s["phone"] for s in report["sent"]] + ["+14155550106"])
    assert len(report["sent"]) == 3 and delivery_count(site) == 3


def test_a_rate_limited_message_is_retried_and_sent_once(run, site: SiteDb) -> None:  # type: ignore[no-untyped-def]
    with fake_twilio(script={"+14155550106": [RATE_LIMITED, ACCEPTED]}) as gateway:
        point_at(site, gateway.url)
        result, report = send(run)
    assert result.exit_code == 0, result.output
    assert gateway.requests_to().count("+14155550106") == 2  # 429: not taken, so asked again
    assert gateway.accepted_to().count("+14155550106") == 1
    assert len(report["sent"]) == 4 and report["unknown"] == []


def test_an_unreachable_gateway_leaves_the_send_resumable(run, site: SiteDb) -> None:  # type: ignore[no-untyped-def]
    with fake_twilio() as gateway:
        url = gateway.url
    point_at(site, url)  # nothing listens there any more: connection refused
    result, report = send(run)
    assert result.exit_code == 1
    assert len(report["pending"]) == 4 and report["unknown"] == []
    assert f"civisms send --resume {report['send_id']}" in result.stderr
    listed = run("send", "--list", "--json")
    (row,) = json.loads(listed.stdout)
    assert row["id"] == report["send_id"] and row["pending"] == 4

    with fake_twilio() as gateway:
        point_at(site, gateway.url)
        result = run("send", "--resume", str(report["send_id"]), "--json")
    assert result.exit_code == 0, result.output
    assert sorted(gateway.accepted_to()) == sorted(
        s["phone"] for s in json.loads(result.stdout)["sent"])
    assert len(gateway.requests) == 4
    # One SMS activity for the whole send, its targets the contacts texted.
    (sms,) = activities(site, "SMS")
    assert contacts_of(site, sms["id"], "Activity Targets") == sorted(map(int, CONTACTS))


def test_providers_test_asks_a_slow_gateway_once_and_exits_1(run, site: SiteDb) -> None:  # type: ignore[no-untyped-def]
    with fake_twilio(default=HANG, hang=1.5) as gateway:
        point_at(site, gateway.url)
        result = run("providers", "test", "3", "--to", "+1 415 555 0199", "--json")
    assert result.exit_code == 1
    assert gateway.requests_to() == ["+14155550199"]
    assert json.loads(result.stdout)["outcome"] == "unknown"


def test_providers_test_refuses_a_number_that_is_not_valid(run, site: SiteDb) -> None:  # type: ignore[no-untyped-def]
    # Possible (ten digits) but not a valid US number: the rule every recipient gets.
    result = run("providers", "test", "3", "--to", "+1 555 867 5310")
    assert result.exit_code == 2
    assert "not a valid phone number" in result.output
