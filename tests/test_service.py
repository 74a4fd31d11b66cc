"""``civisms serve``'s app on the sample site, with both backends: receipts move the SMS
delivery activities forwards only, replies become Inbound SMS activities on the right
contacts, STOP and START set and clear do_not_sms, and the next send honours it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner
from service_helpers import (
    DOMAIN_CONTACT,
    Served,
    activities_of_type,
    activity,
    contacts_of,
    sent_message,
    serve,
    snapshot,
)

from civisms.cli import main

if TYPE_CHECKING:
    from conftest import SiteDb

LOCAL = 2  # the sample site's "Local outbox" row: no webhook_token, any request passes


@pytest.fixture(params=["db", "api4"])
def served(request: pytest.FixtureRequest, site: SiteDb, tmp_path: Path) -> Iterator[Served]:
    if request.param == "api4":
        request.getfixturevalue("api4_site")
    with serve(site, request.param, tmp_path) as running:
        yield running


def receipt(served: Served, message_id: str, status: str) -> None:
    answer = served.client.post(f"/webhooks/{LOCAL}/status",
                                json={"type": "receipt", "id": message_id, "status": status})
    assert answer.status_code == 200, answer.text


def reply(served: Served, sender: str, text: str, message_id: str) -> None:
    answer = served.client.post(f"/webhooks/{LOCAL}/inbound", json={
        "type": "inbound", "id": message_id, "from": sender, "text": text,
        "to": "+15550002000"})
    assert answer.status_code == 200, answer.text


def test_healthz_says_ok_when_civicrm_answers(served: Served) -> None:
    answer = served.client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "backend": served.backend}


def test_healthz_is_503_without_a_traceback_when_the_database_is_down(
        site: SiteDb, tmp_path: Path) -> None:
    broken = site.url.replace(f":{site.params.port}/", ":1/")
    with serve(site, "db", tmp_path, db_url=broken) as running:
        answer = running.client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["status"] == "unavailable"
    assert "Traceback" not in answer.text and "password" not in answer.text.lower()


def test_receipts_move_the_delivery_activity_forwards_only(served: Served) -> None:
    site = served.site
    activity_id = sent_message(site, "local-m1")
    receipt(served, "local-m1", "sent")
    row = activity(site, activity_id)
    assert (row["status"], row["location"]) == ("Scheduled", "sent (sent)")
    receipt(served, "local-m1", "delivered")
    row = activity(site, activity_id)
    assert (row["status"], row["location"]) == ("Completed", "delivered (delivered)")
    before = snapshot(site)
    receipt(served, "local-m1", "sent")  # late, out of order
    receipt(served, "local-m1", "delivered")  # replayed
    receipt(served, "local-m1", "undelivered")  # a second final word: the first one stands
    assert snapshot(site) == before


def test_a_failure_receipt_cancels_the_activity(served: Served) -> None:
    activity_id = sent_message(served.site, "local-m2")
    receipt(served, "local-m2", "undelivered")
    row = activity(served.site, activity_id)
    assert (row["status"], row["location"]) == ("Cancelled", "undelivered (undelivered)")


def test_a_receipt_for_an_unknown_message_or_status_is_acknowledged(served: Served) -> None:
    before = snapshot(served.site)
    receipt(served, "local-unknown", "what-is-this")
    assert snapshot(served.site) == before
    receipt(served, "local-unknown", "delivered")  # no activity has this id: 200, logged
    answer = served.client.post(f"/webhooks/{LOCAL}/status", json={"type": "nonsense"})
    assert answer.status_code == 200


def test_a_reply_becomes_an_inbound_sms_on_the_texters_contact(served: Served) -> None:
    reply(served, "+33612345678", "Merci, à samedi !", "in-1")
    (inbound,) = activities_of_type(served.site, "Inbound SMS")
    assert inbound["subject"] == "Inbound SMS from +33612345678"
    assert inbound["details"] == "Merci, à samedi !"
    assert inbound["phone_number"] == "+33612345678" and inbound["result"] == "in-1"
    assert contacts_of(served.site, inbound["id"], "Activity Targets") == [9]
    assert contacts_of(served.site, inbound["id"], "Activity Source") == [DOMAIN_CONTACT]
    before = snapshot(served.site)
    reply(served, "+33612345678", "Merci, à samedi !", "in-1")  # the gateway retries
    assert snapshot(served.site) == before


def test_a_shared_number_puts_the_reply_on_each_contact(served: Served) -> None:
    # Contacts 25 and 26 share one Belgian mobile, typed differently.
    numbers = served.site.query(
        "SELECT contact_id, phone FROM civicrm_phone WHERE contact_id IN (25, 26)")
    assert len(numbers) >= 2
    reply(served, "+32475112233", "Hello", "in-2")
    (inbound,) = activities_of_type(served.site, "Inbound SMS")
    assert contacts_of(served.site, inbound["id"], "Activity Targets") == [25, 26]


def test_an_unknown_texter_becomes_a_contact_with_no_invented_email(served: Served) -> None:
    reply(served, "+447911123456", "Who is this?", "in-3")
    (inbound,) = activities_of_type(served.site, "Inbound SMS")
    (new_contact,) = contacts_of(served.site, inbound["id"], "Activity Targets")
    contact = served.site.query("SELECT * FROM civicrm_contact WHERE id = %s", [new_contact])[0]
    assert contact["contact_type"] == "Individual"
    assert served.site.scalar("SELECT COUNT(*) FROM civicrm_email WHERE contact_id = %s",
                              [new_contact]) == 0
    phone = served.site.query("SELECT * FROM civicrm_phone WHERE contact_id = %s",
                              [new_contact])[0]
    assert phone["phone"] == "+447911123456" and phone["is_primary"] == 1
    reply(served, "+447911123456", "Hello again", "in-4")  # the same texter: no new contact
    assert contacts_of(served.site, activities_of_type(served.site, "Inbound SMS")[1]["id"],
                       "Activity Targets") == [new_contact]


def test_an_unknown_texter_goes_on_the_domain_contact_when_configured(
        site: SiteDb, tmp_path: Path) -> None:
    with serve(site, "db", tmp_path, inbound_unknown="domain") as running:
        contacts = site.scalar("SELECT COUNT(*) FROM civicrm_contact")
        reply(running, "+447911123456", "Who is this?", "in-5")
        assert site.scalar("SELECT COUNT(*) FROM civicrm_contact") == contacts
        (inbound,) = activities_of_type(site, "Inbound SMS")
        assert contacts_of(site, inbound["id"], "Activity Targets") == [DOMAIN_CONTACT]


def do_not_sms(site: SiteDb, contact_id: int) -> int:
    return int(site.scalar("SELECT do_not_sms FROM civicrm_contact WHERE id = %s",
                           [contact_id]))


def send_to(served: Served, contact_id: int, monkeypatch: pytest.MonkeyPatch) -> dict:
    if served.backend == "db":
        monkeypatch.setenv("CIVISMS_DB_URL", served.site.url)
    else:
        from api4_site import API_KEY, BASE_URL

        monkeypatch.setenv("CIVISMS_API_URL", BASE_URL)
        monkeypatch.setenv("CIVISMS_API_KEY", API_KEY)
    monkeypatch.setenv("CIVISMS_BACKEND", served.backend)
    monkeypatch.setenv("CIVISMS_OUTBOX", str(served.settings.outbox))
    monkeypatch.delenv("CIVISMS_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["send", "--contact", str(contact_id), "--name", "After",
                                       "--text", "Hello", "--yes", "--json"])
    return json.loads(result.stdout)


def test_stop_sets_do_not_sms_the_next_send_skips_and_start_clears_it(
        served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    site = served.site
    assert do_not_sms(site, 9) == 0
    reply(served, "+33 6 12 34 56 78", "  Arrêt ! ", "in-stop")
    assert do_not_sms(site, 9) == 1
    (inbound,) = activities_of_type(site, "Inbound SMS")
    assert inbound["subject"] == "Inbound SMS from +33 6 12 34 56 78: STOP, do not SMS set"
    # The local row answers keywords: one confirmation went out, with its delivery activity.
    answers = [m for m in json_lines(served.settings.outbox) if m.get("event") == "sent"]
    assert [(m["to"], m["text"]) for m in answers] == [
        ("+33612345678", served.settings.stop_reply)]
    report = send_to(served, 9, monkeypatch)
    assert [(s["contact_id"], s["reason"]) for s in report["skipped"]] == [(9, "do_not_sms")]
    reply(served, "+33612345678", "start", "in-start")
    assert do_not_sms(site, 9) == 0
    report = send_to(served, 9, monkeypatch)
    assert [s["contact_id"] for s in report["sent"]] == [9]


def test_a_sentence_containing_stop_is_only_a_reply(served: Served) -> None:
    reply(served, "+33612345678", "please stop texting me", "in-s")
    assert do_not_sms(served.site, 9) == 0


def json_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_unknown_provider_is_404_and_a_database_failure_is_500(
        site: SiteDb, tmp_path: Path) -> None:
    with serve(site, "db", tmp_path) as running:
        assert running.client.post("/webhooks/999/status", json={}).status_code == 404
        assert running.client.post("/webhooks/abc/status", json={}).status_code == 404
        sent_message(site, "local-m9")
        site.execute("DROP TABLE civisms_receipt")  # the database fails under the service
        answer = running.client.post(f"/webhooks/{LOCAL}/status", json={
            "type": "receipt", "id": "local-m9", "status": "delivered"})
    assert answer.status_code == 500
    assert "Traceback" not in answer.text and "civisms_receipt" not in answer.text


def test_metrics_count_webhooks_by_provider_kind_and_outcome(served: Served) -> None:
    sent_message(served.site, "local-m3")
    receipt(served, "local-m3", "delivered")
    served.client.post("/webhooks/999/status", json={})
    text = served.client.get("/metrics").text
    assert 'civisms_webhooks_total{kind="status",outcome="ok",provider="2"}' in text
    assert 'civisms_webhooks_total{kind="status",outcome="unknown_provider",provider="unknown"}' \
        in text
    assert 'civisms_webhook_events_total{event="receipt",outcome="updated",provider="2"}' in text
    assert "civisms_webhook_seconds_bucket" in text


def test_a_number_typed_nationally_is_matched_in_the_texters_country(served: Served) -> None:
    # Contact 23's mobile is "06 23 45 67 89" (no +): a French texter's +33623456789.
    reply(served, "+33623456789", "Salut", "in-fr")
    (inbound,) = activities_of_type(served.site, "Inbound SMS")
    assert contacts_of(served.site, inbound["id"], "Activity Targets") == [23]


def test_a_multipart_vonage_reply_is_recorded_whole_once(served: Served) -> None:
    from urllib.parse import urlencode

    from service_helpers import add_provider

    pid = add_provider(served.site, "org.civisms.vonage", username="key", password="secret",
                       api_params="from=+15550008000\nwebhook_token=tok-v")
    texts = {1: "Bonjour, je serai là samedi ", 2: "avec deux amis. Merci !"}

    def part(n: int) -> int:
        query = urlencode({"msisdn": "33612345678", "to": "15550008000", "type": "text",
                           "messageId": f"0A0000000{n}", "text": texts[n], "concat": "true",
                           "concat-ref": "42", "concat-total": "2", "concat-part": str(n),
                           "civisms_token": "tok-v"})
        return served.client.get(f"/webhooks/{pid}/inbound?{query}").status_code

    assert part(2) == 200  # parts may come in any order
    assert activities_of_type(served.site, "Inbound SMS") == []
    assert part(1) == 200
    (inbound,) = activities_of_type(served.site, "Inbound SMS")
    assert inbound["details"] == texts[1] + texts[2]
    assert inbound["result"] == "0A00000001"
    assert contacts_of(served.site, inbound["id"], "Activity Targets") == [9]
    assert part(2) == 200 and part(1) == 200  # Vonage retries: nothing more
    assert len(activities_of_type(served.site, "Inbound SMS")) == 1
