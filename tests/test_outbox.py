"""Messages submitted alone (the service's ``/v1/messages``): journaled at once, sent by the
shared engine, recorded as a provider's ``createActivity`` records them."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import pytest
from fake_gateway import HANG, fake_twilio
from test_send import activities, contacts_of
from test_send_never_twice import point_at

from civisms.civicrm.db import DbCiviCRM
from civisms.errors import InputError
from civisms.providers.registry import provider_for
from civisms.sending.journal import Journal
from civisms.sending.outbox import drain, submit, work

if TYPE_CHECKING:
    from conftest import SiteDb


def civicrm_of(site: SiteDb) -> DbCiviCRM:
    return DbCiviCRM.from_settings(site.settings())


def gateway_provider(civicrm: DbCiviCRM):  # type: ignore[no-untyped-def]
    row = next(p for p in civicrm.sms_providers() if p.id == 3)
    return provider_for(row)


def test_submit_returns_an_id_and_drain_records_an_sms_delivery(site: SiteDb) -> None:
    civicrm = civicrm_of(site)
    journal = Journal.for_civicrm(civicrm, site.settings().journal_path)
    with fake_twilio() as gateway:
        point_at(site, gateway.url)
        started = time.perf_counter()
        queued = submit(journal, provider_id=3, contact_id=9, phone="+1 415-555-0199",
                        text="Your code is 1234", source_contact_id=2)
        assert time.perf_counter() - started < 0.5
        assert gateway.requests == []  # submit never calls the gateway
        assert journal.message(queued.id)["state"] == "pending"
        provider = gateway_provider(civicrm)
        tally = drain(civicrm, journal, provider, 3)
        provider.close()
    assert (tally.sent, tally.unknown) == (1, 0)
    assert gateway.accepted_to() == ["+14155550199"]
    row = journal.message(queued.id)
    assert row["state"] == "sent" and row["gateway_id"] == gateway.accepted[0]["sid"]
    (delivery,) = activities(site, "SMS delivery")
    assert delivery["id"] == row["activity_id"] and delivery["result"] == row["gateway_id"]
    assert delivery["details"] == "Your code is 1234" and delivery["status_id"] == 2
    assert contacts_of(site, delivery["id"], "Activity Targets") == [9]
    assert contacts_of(site, delivery["id"], "Activity Source") == [2]
    assert activities(site, "SMS") == []  # no send, no SMS activity
    civicrm.close()


def test_a_worker_sends_what_is_submitted_and_never_twice(site: SiteDb) -> None:
    civicrm = civicrm_of(site)
    journal = Journal.for_civicrm(civicrm, site.settings().journal_path)
    with fake_twilio(script={"+14155550106": [HANG]}, hang=1.0) as gateway:
        point_at(site, gateway.url, timeout=0.3)
        ids = [submit(journal, provider_id=3, contact_id=c, phone=p, text="Hi",
                      source_contact_id=2).id
               for c, p in ((9, "+14155550199"), (8, "+14155550106"))]
        stop = threading.Event()
        worker_db = civicrm_of(site)  # a worker has its own connection
        thread = threading.Thread(target=work, args=(
            worker_db, Journal.for_civicrm(worker_db, site.settings().journal_path),
            lambda pid: gateway_provider(worker_db)), kwargs={"stop": stop, "interval": 0.1})
        thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(
                journal.message(i)["state"] in ("pending", "sending") for i in ids):
            time.sleep(0.1)
        stop.set()
        thread.join(timeout=20)
    assert [journal.message(i)["state"] for i in ids] == ["sent", "unknown"]
    assert gateway.requests_to().count("+14155550106") == 1
    assert len(activities(site, "SMS delivery")) == 1  # unknown: listed, not recorded
    worker_db.close()
    civicrm.close()


def test_submit_refuses_what_cannot_be_sent(site: SiteDb) -> None:
    civicrm = civicrm_of(site)
    journal = Journal.for_civicrm(civicrm, site.settings().journal_path)
    with pytest.raises(InputError, match="not a valid phone number"):
        submit(journal, provider_id=3, contact_id=9, phone="hello", text="x",
               source_contact_id=2)
    with pytest.raises(InputError, match="empty"):
        submit(journal, provider_id=3, contact_id=9, phone="+14155550199", text=" ",
               source_contact_id=2)
    civicrm.close()
