"""The db backend's verbs for the service: receipts and replies written in CiviCRM's tables.

Mixed into ``DbCiviCRM``. Besides CiviCRM's own rows civisms keeps two small tables
(``civisms_receipt``, ``civisms_inbound``) and adds one index to ``civicrm_activity``
(``result``), created by ``prepare_webhooks`` (docs/service.md "What the service writes").
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

from civisms.civicrm.queries import placeholders, query
from civisms.civicrm.receipts_db import DbReceipts
from civisms.errors import CiviCRMError
from civisms.model import Activity, Phone
from civisms.sql import sql_path

if TYPE_CHECKING:
    from civisms.civicrm.dbconn import Database


def sql(name: str) -> str:
    """A named block of ``webhook_queries.sql``."""
    return query(name, sql_path("webhook_queries.sql"))


class DbWebhooks(DbReceipts):
    """Receipts and replies on the db backend (``self.db`` is the connection)."""

    db: Database

    if TYPE_CHECKING:  # provided by DbCiviCRM; declared for type checkers only
        def option_value(self, group: str, name: str) -> int: ...
        def option_values(self, group: str) -> dict[str, int]: ...
        def _insert_activities(self, activities: Sequence[Activity]) -> list[int]: ...

    def prepare_webhooks(self) -> None:
        """Create civisms' two tables and the two look-up indexes, when missing."""
        self.db.execute(sql("create_receipt"))
        self.db.execute(sql("create_inbound"))
        self.db.execute(sql("create_inbound_part"))
        # The job runner's own table, made here as it makes it, so that a receipt for a
        # mass SMS always finds its queue item through the index below.
        self.db.execute(query("create_queue_state", sql_path("job_queries.sql")))
        self._ensure_index("civicrm_activity", "civisms_activity_result", "index_activity_result")
        self._ensure_index("civisms_queue_state", "civisms_queue_state_message",
                           "index_queue_message")

    def _has_table(self, table: str) -> bool:
        return bool(self.db.rows(sql("table_exists"), {"table": table})[0]["n"])

    def _ensure_index(self, table: str, index: str, statement: str) -> None:
        if self._has_index(table, index):
            return
        try:
            self.db.execute(sql(statement))
        except CiviCRMError:
            # Another worker starting at the same time may have just made it.
            if not self._has_index(table, index):
                raise

    def _has_index(self, table: str, index: str) -> bool:
        return bool(self.db.rows(sql("index_exists"), {"table": table, "index": index})[0]["n"])

    # -- replies --

    def phones_by_numeric(self, numerics: Sequence[str]) -> list[Phone]:
        wanted = sorted({n for n in numerics if n})
        if not wanted:
            return []
        names = {v: k for k, v in self.option_values("phone_type").items()}
        rows = self.db.rows(sql("phones_by_numeric").format(numerics=placeholders(len(wanted))),
                            wanted)
        return [Phone(id=r["id"], contact_id=r["contact_id"], phone=r["phone"] or "",
                      phone_numeric=r["phone_numeric"], phone_type=names.get(r["phone_type_id"]),
                      is_primary=bool(r["is_primary"]), location_type_id=r["location_type_id"])
                for r in rows]

    def create_sms_contact(self, number: str) -> int:
        with self.db.transaction():
            contact_id = self.db.execute(sql("insert_contact"), {
                "name": number, "hash": secrets.token_hex(16)})
            location = self.db.rows(sql("location_type"))
            self.db.execute(sql("insert_phone"), {
                "contact_id": contact_id, "phone": number,
                "numeric": "".join(c for c in number if c.isdigit()),
                "location_type_id": location[0]["id"] if location else None,
                "phone_type_id": self.option_value("phone_type", "Mobile")})
        return contact_id

    def set_do_not_sms(self, contact_ids: Sequence[int], value: bool) -> list[int]:
        ids = sorted({int(c) for c in contact_ids})
        if not ids:
            return []
        marks = ", ".join(map(str, ids))
        with self.db.transaction():
            changed = [int(r["id"]) for r in self.db.rows(
                sql("do_not_sms_differs").format(ids=marks), {"value": int(value)})]
            if changed:
                self.db.execute(sql("set_do_not_sms").format(ids=", ".join(map(str, changed))),
                                {"value": int(value)})
        return changed

    def inbound_part(self, provider_id: int, sender: str, ref: str, part: int, total: int,
                     text: str, message_id: str | None) -> list[tuple[str, str | None]] | None:
        key = {"provider_id": provider_id, "sender": sender[:64], "ref": ref[:64]}
        self.db.execute(sql("add_inbound_part"), {**key, "part": part, "total": total,
                                                  "text": text, "message_id": message_id})
        rows = self.db.rows(sql("inbound_parts"), key)
        if len(rows) < total:
            return None
        return [(r["text"], r["message_id"]) for r in rows[:total]]

    def inbound_recorded(self, provider_id: int, message_id: str) -> bool:
        return bool(self.db.rows(sql("inbound_seen"), {"provider_id": provider_id,
                                                       "message_id": message_id}))

    def record_inbound(self, provider_id: int, message_id: str | None,
                       activity: Activity) -> int | None:
        key = {"provider_id": provider_id, "message_id": message_id}
        with self.db.transaction():
            if message_id is not None and not self.db.rowcount(sql("claim_inbound"), key):
                return None
            activity_id = self._insert_activities([activity])[0]
            if message_id is not None:
                self.db.execute(sql("link_inbound"), {**key, "activity_id": activity_id})
        return activity_id
