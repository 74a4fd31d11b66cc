"""Receipts for a mass SMS: sent through a (loopback) Twilio by ``jobs run``, receipted by
signed callbacks, counted by ``mailing status``; a failure adds a bounce row."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from fake_gateway import fake_twilio
from mailing_factory import schedule_mailing, seed_bounce_types, use_gateway
from service_helpers import serve

from civisms.cli import main
from civisms.providers.twilio import twilio_signature

if TYPE_CHECKING:
    from conftest import SiteDb

TOKEN = "not-a-real-token"  # the sample site's Twilio row (id 3)


def twilio_callback(sid: str, status: str, error: str | None = None) -> dict:
    fields = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32}
    if error:
        fields["ErrorCode"] = error
    url = "http://testserver/webhooks/3/status"
    signature = twilio_signature(TOKEN, url, {k: [v] for k, v in fields.items()})
    return {"content": urlencode(fields).encode(), "headers": {
        "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}}


def test_receipts_of_a_mass_sms_are_counted_and_a_failure_bounces(
        site: SiteDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVISMS_BACKEND", "db")
    monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    for name in ("CIVISMS_CONFIG", "CIVISMS_QUIET_HOURS", "CIVISMS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    seed_bounce_types(site)
    with fake_twilio() as gateway:
        use_gateway(site, gateway.url)
        mailing = schedule_mailing(site, text="Hi {contact.first_name}")
        result = CliRunner().invoke(main, ["jobs", "run", "--once", "--json", "--no-progress"])
        assert result.exit_code == 0, result.output
    sids = [m["sid"] for m in gateway.accepted]
    assert len(sids) == 4
    with serve(site, "db", tmp_path) as running:
        for sid, status, error in ((sids[0], "delivered", None), (sids[1], "sent", None),
                                   (sids[1], "delivered", None),
                                   (sids[2], "undelivered", "30003"), (sids[3], "sent", None)):
            answer = running.client.post("/webhooks/3/status",
                                         **twilio_callback(sid, status, error))
            assert answer.status_code == 200, answer.text
    status = json.loads(CliRunner().invoke(main, ["mailing", "status", str(mailing),
                                                  "--json"]).stdout)
    assert (status["sent"], status["delivered"], status["undelivered"],
            status["awaiting_receipt"]) == (4, 2, 1, 1)
    (bounce,) = site.query("SELECT b.*, t.name FROM civicrm_mailing_event_bounce b JOIN "
                           "civicrm_mailing_bounce_type t ON t.id = b.bounce_type_id")
    assert bounce["name"] == "Invalid"
    assert bounce["bounce_reason"] == "undelivered (undelivered, error 30003)"
    queue_contact = site.scalar("SELECT contact_id FROM civicrm_mailing_event_queue WHERE id "
                                "= %s", [bounce["event_queue_id"]])
    contact_of = {"+14155550101": 3, "+14155550103": 5, "+33612345678": 9,
                  "+14155550199": 12}
    assert queue_contact == contact_of[gateway.accepted[2]["To"]]  # the undelivered one
    text = CliRunner().invoke(main, ["mailing", "status", str(mailing)]).stdout
    assert "receipts: delivered 2, undelivered 1, awaiting a receipt 1" in text
