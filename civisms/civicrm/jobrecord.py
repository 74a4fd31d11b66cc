"""Writing a batch of mass-SMS outcomes as CiviCRM records them, in one transaction.

Per batch (``Recorder.write``): the final ``civisms_queue_state`` of each row, one
``civicrm_mailing_event_delivered`` row per accepted message (``writeToDB``), one
``civicrm_mailing_event_bounce`` row per refused one (civisms' addition: CiviCRM only logs
a line), one ``SMS delivery`` activity per message handed to the gateway (what provider
extensions write through ``createActivity``: gateway id in ``result``; ``Cancelled`` with
the error in ``location`` when refused), and one ``Activity Targets`` row per texted
contact on the mailing's single ``Mass SMS`` activity, created on first need.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from civisms.civicrm.base import RECORD_TYPES
from civisms.civicrm.changelog import log_activities
from civisms.civicrm.jobstore import JobStore, MailerSettings, Settle, sql
from civisms.civicrm.queries import query


class Recorder:
    """Writes outcomes of one child job; knows the ids it needs by name, once."""

    def __init__(self, store: JobStore, mailing: dict[str, Any], job: dict[str, Any],
                 settings: MailerSettings) -> None:
        civicrm = store.civicrm
        self.store = store
        self.db = store.db
        self.mailing = mailing
        self.job = job
        self.source = mailing["scheduled_id"]
        self.write_mass = settings.write_activity and self.source is not None
        types = civicrm.option_values("activity_type")
        self.delivery_type = types.get("SMS delivery")
        self.mass_type = civicrm.option_value("activity_type", "Mass SMS")
        self.status = {name: civicrm.option_value("activity_status", name)
                       for name in ("Completed", "Cancelled")}
        self.priority = civicrm.option_values("priority").get("Normal")
        self.role_source = civicrm.option_value("activity_contacts", RECORD_TYPES["source"])
        self.role_target = civicrm.option_value("activity_contacts", RECORD_TYPES["target"])
        self.mass_id: int | None = None

    def write(self, outcomes: Sequence[Settle], now: datetime) -> None:
        """Record a batch of outcomes; all rows commit together or none does. A batch the
        server rolled back as a deadlock's victim (two workers writing side by side) is
        written again: its messages went to the gateway and must not end up unknown."""
        if not outcomes:
            return
        known = self.mass_id

        def attempt() -> None:
            self.mass_id = known  # a rolled-back try may have created it
            self._write(outcomes, now)

        try:
            self.db.retrying(attempt)
        except BaseException:
            self.mass_id = known  # rolled back with the rest
            raise

    def _write(self, outcomes: Sequence[Settle], now: datetime) -> None:
        store = self.store
        with store.transaction():
            store.settle_states(self.job, outcomes, now)
            sent = [o for o in outcomes if o.state == "sent"]
            store.insert_many("insert_delivered", [(o.queue_id, now) for o in sent])
            store.insert_many("insert_bounces", [
                (o.queue_id, store.bounce_type(o.bounce), (o.error or "")[:255], now)
                for o in outcomes if o.bounce])
            handed = [o for o in outcomes if o.text is not None and o.activity_status]
            if handed and self.source is not None and self.delivery_type is not None:
                self._deliveries(handed, now)
            if sent and self.write_mass:
                mass = self.mass_id or self._mass_activity(now)
                self._links([(mass, o.contact_id, self.role_target) for o in sent])

    def _deliveries(self, handed: Sequence[Settle], now: datetime) -> None:
        rows = [
            (self.delivery_type, None, now, o.text, self.status[o.activity_status or ""],
             self.priority, o.message_id if o.state == "sent" else None,
             None if o.state == "sent" else (o.error or "")[:255],
             None, None, None, None)
            for o in handed
        ]
        ids = self._activities(rows)
        links: list[tuple[int, int, int]] = []
        for activity_id, o in zip(ids, handed, strict=True):
            links.append((activity_id, self.source, self.role_source))
            links.append((activity_id, o.contact_id, self.role_target))
        self._links(links)
        log_activities(self.db, [(activity_id, self.source, (o.contact_id,))
                                 for activity_id, o in zip(ids, handed, strict=True)], now)

    def _activities(self, rows: list[tuple[Any, ...]]) -> list[int]:
        return self.store.civicrm.insert_activity_rows(rows)

    def _links(self, links: list[tuple[int, int, int]]) -> None:
        for start in range(0, len(links), 1000):
            self.db.insert_rows(query("insert_activity_contacts"), links[start : start + 1000])

    def _mass_activity(self, now: datetime) -> int:
        """Find the mailing's ``Mass SMS`` activity, or create it (``writeToDB``).

        The mailing row is locked first, so two workers never create two activities.
        """
        mailing_id = self.mailing["id"]
        self.db.rows(sql("lock_mailing_row"), {"id": mailing_id})
        found = self.db.rows(sql("mass_sms_activity"),
                             {"type": self.mass_type, "mailing_id": mailing_id})
        if found:
            self.mass_id = int(found[0]["id"])
            return self.mass_id
        row = (self.mass_type, self.mailing["name"], self.job["scheduled_date"], None,
               self.status["Completed"], self.priority, None, None, self.mailing["campaign_id"],
               mailing_id, None, None)
        (self.mass_id,) = self._activities([row])
        self._links([(self.mass_id, self.source, self.role_source)])
        log_activities(self.db, [(self.mass_id, self.source, ())], now)
        return self.mass_id
