"""The service's api4 verbs against a real CiviCRM 6.17.2 (``CIVISMS_REAL_SITE``): a reply
from a new number makes a contact CiviCRM itself indexes, STOP flips its do_not_sms, a
retried reply is recorded once, a receipt moves a real SMS delivery activity forwards."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from real_civicrm import real_site

from civisms.civicrm.api4 import Api4CiviCRM
from civisms.config import Settings
from civisms.model import Activity
from civisms.providers.base import DeliveryReceipt, DeliveryStatus, InboundMessage
from civisms.webhooks.inbound import contacts_with_number, record_inbound
from civisms.webhooks.keywords import Keywords
from civisms.webhooks.receipts import record_receipt


@pytest.fixture
def civicrm() -> Iterator[tuple[Api4CiviCRM, Settings, list[tuple[str, int]]]]:
    site = real_site()
    settings = Settings(backend="api4", api_url=site.env["CIVI_URL"],
                        api_key=site.env["CIVI_API_KEY"])
    backend = Api4CiviCRM.from_settings(settings)
    made: list[tuple[str, int]] = []  # (entity, id) to delete afterwards
    try:
        yield backend, settings, made
    finally:
        for entity, record in reversed(made):
            params = {"where": [["id", "=", record]]}
            if entity == "Contact":
                params["useTrash"] = False
            backend.api.values(entity, "delete", params)
        backend.close()


def test_a_reply_from_a_new_number_stop_and_a_receipt_on_the_real_site(civicrm) -> None:  # type: ignore[no-untyped-def]
    backend, settings, made = civicrm
    # +33 61: a metropolitan French mobile; +33 69x and +33 639 are not valid numbers (8 %
    # of "+336" + 8 random digits were, and the reply then had no number to create from).
    number = "+3361" + "".join(secrets.choice("0123456789") for _ in range(7))
    keywords = Keywords.from_settings(settings)
    message_id = "real-" + secrets.token_hex(8)
    first = record_inbound(backend, settings, keywords, 0, InboundMessage(
        provider="test", sender=number, text="Stop !", message_id=message_id))
    (contact_id,) = first.contact_ids
    made += [("Contact", contact_id), ("Activity", int(first.activity_id or 0))]
    assert first.outcome == "recorded"
    # CiviCRM filled phone_numeric itself: the number is found again, as a mobile.
    assert contacts_with_number(backend, number, None) == [contact_id]
    (contact,) = backend.contacts([contact_id])
    assert contact.do_not_sms and contact.email is None
    assert [p.phone_type for p in contact.phones] == ["Mobile"]
    again = record_inbound(backend, settings, keywords, 0, InboundMessage(
        provider="test", sender=number, text="Stop !", message_id=message_id))
    assert again.outcome == "duplicate"
    (inbound,) = backend.api.values("Activity", "get", {
        "select": ["subject", "details", "phone_number", "source_contact_id",
                   "target_contact_id", "activity_type_id:name"],
        "where": [["result", "=", message_id]]})
    assert inbound["activity_type_id:name"] == "Inbound SMS"
    assert inbound["subject"] == f"Inbound SMS from {number}: STOP, do not SMS set"
    assert inbound["target_contact_id"] == [contact_id]
    assert inbound["source_contact_id"] == backend.domain().contact_id

    delivery_id = backend.create_activity(Activity(
        activity_type="SMS delivery", source_contact_id=backend.domain().contact_id,
        status="Completed", details="Hi", targets=(contact_id,), result=message_id + "-out"))
    made.append(("Activity", delivery_id))
    receipt = DeliveryReceipt(provider="test", message_id=message_id + "-out",
                              status=DeliveryStatus.DELIVERED, provider_status="delivered")
    assert record_receipt(backend, 0, receipt) == "updated"
    late = DeliveryReceipt(provider="test", message_id=message_id + "-out",
                           status=DeliveryStatus.SENT, provider_status="sent")
    assert record_receipt(backend, 0, late) == "unchanged"
    (row,) = backend.api.values("Activity", "get", {
        "select": ["status_id:name", "location"], "where": [["id", "=", delivery_id]]})
    assert (row["status_id:name"], row["location"]) == ("Completed", "delivered (delivered)")
    assert backend.set_do_not_sms([contact_id], False) == [contact_id]
