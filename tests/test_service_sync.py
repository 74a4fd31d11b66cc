"""``civisms sync receipts|inbound`` against a recorded Twilio Messages list (two pages):
the gaps the webhooks left are filled, a second run changes nothing, a dry run nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import responses
from click.testing import CliRunner
from service_helpers import activities_of_type, activity, contacts_of, sent_message, snapshot

from civisms.cli import main

if TYPE_CHECKING:
    from conftest import SiteDb

DATA = Path(__file__).parent / "data"
LIST = re.compile(r"https://api\.twilio\.com/2010-04-01/Accounts/AC0{32}/Messages\.json.*")


@pytest.fixture
def twilio_site(site: SiteDb, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> SiteDb:
    site.execute("UPDATE civicrm_sms_provider SET is_active = 1 WHERE id = 3")
    monkeypatch.setenv("CIVISMS_BACKEND", "db")
    monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    monkeypatch.setenv("CIVISMS_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.delenv("CIVISMS_CONFIG", raising=False)
    return site


def recorded_list(rsps: responses.RequestsMock) -> None:
    pages = [json.loads((DATA / f"twilio_messages_page{n}.json").read_text()) for n in (1, 2)]

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        page = 1 if "PageToken=" in request.url else 0
        return 200, {"Content-Type": "application/json"}, json.dumps(pages[page])

    rsps.add_callback(responses.GET, LIST, callback=answer)


def run(*args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(main, ["sync", *args, "--json"])
    return result.exit_code, json.loads(result.stdout) if result.stdout else None


def test_sync_receipts_fills_the_gaps_and_is_idempotent(twilio_site: SiteDb) -> None:
    delivered = sent_message(twilio_site, "SM00000000000000000000000000000001")
    undelivered = sent_message(twilio_site, "SM00000000000000000000000000000002", 5)
    sent = sent_message(twilio_site, "SM00000000000000000000000000000004", 8)
    with responses.RequestsMock() as rsps:
        recorded_list(rsps)
        code, dry = run("receipts", "--since", "2026-12-01", "--dry-run")
        assert code == 0
        assert activity(twilio_site, delivered)["status"] == "Completed"
        assert activity(twilio_site, delivered)["location"] is None  # nothing written
        code, report = run("receipts", "--since", "2026-12-01")
        assert code == 0
        assert rsps.calls[0].request.url.endswith("DateSent%3E=2026-12-01&PageSize=1000")
    twilio = next(r for r in report if r["provider_id"] == 3)
    assert twilio["fetched"] == 3 and twilio["outcomes"] == {"updated": 3}
    assert next(r for r in dry if r["provider_id"] == 3)["outcomes"] == {"would record": 3}
    local = next(r for r in report if r["provider_id"] == 2)
    assert local["skipped"] == "the local outbox is its own history"
    assert activity(twilio_site, delivered)["location"] == "delivered (delivered)"
    row = activity(twilio_site, undelivered)
    assert (row["status"], row["location"]) == (
        "Cancelled", "undelivered (undelivered, error 30003)")
    assert activity(twilio_site, sent)["status"] == "Scheduled"
    before = snapshot(twilio_site)
    with responses.RequestsMock() as rsps:
        recorded_list(rsps)
        code, again = run("receipts", "--since", "2026-12-01")
    assert next(r for r in again if r["provider_id"] == 3)["outcomes"] == {"unchanged": 3}
    assert snapshot(twilio_site) == before


def test_sync_inbound_records_a_missed_stop_once(twilio_site: SiteDb) -> None:
    with responses.RequestsMock() as rsps:
        recorded_list(rsps)
        code, report = run("inbound", "--since", "2026-12-01")
    assert code == 0
    assert next(r for r in report if r["provider_id"] == 3)["outcomes"] == {"recorded": 1}
    (inbound,) = activities_of_type(twilio_site, "Inbound SMS")
    assert inbound["result"] == "SM00000000000000000000000000000003"
    assert contacts_of(twilio_site, inbound["id"], "Activity Targets") == [9]
    assert twilio_site.scalar("SELECT do_not_sms FROM civicrm_contact WHERE id = 9") == 1
    with responses.RequestsMock() as rsps:
        recorded_list(rsps)
        code, again = run("inbound", "--since", "2026-12-01")
    assert next(r for r in again if r["provider_id"] == 3)["outcomes"] == {"duplicate": 1}
    assert len(activities_of_type(twilio_site, "Inbound SMS")) == 1


def test_a_gateway_error_is_reported_and_exits_1(twilio_site: SiteDb) -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, LIST, status=401, json={"code": 20003, "message": "Authenticate"})
        code, report = run("receipts")
    assert code == 1
    assert "HTTP 401" in next(r for r in report if r["provider_id"] == 3)["error"]
    assert "not-a-real-token" not in json.dumps(report)


def test_a_bad_since_is_exit_2() -> None:
    result = CliRunner().invoke(main, ["sync", "receipts", "--since", "yesterday"])
    assert result.exit_code == 2 and "2026-12-01" in result.output
