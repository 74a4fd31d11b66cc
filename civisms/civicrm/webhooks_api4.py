"""The api4 backend's verbs for the service: receipts and replies through CiviCRM's API v4.

Mixed into ``Api4CiviCRM``. API v4 cannot write civisms' own tables nor mailing bounce
rows (``MailingEventBounce`` is read-only), so here the ``SMS delivery`` activity itself
carries the receipt state (the status word civisms writes first in ``location``) and a
reply is known by its ``Inbound SMS`` activity's ``result``. Two copies of one webhook
arriving in the same instant may both be written: the db backend's row locks prevent
that, the API cannot.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from civisms.civicrm.base import RECORD_TYPES
from civisms.model import (
    Activity,
    Contact,
    Phone,
    ReceiptResult,
    ReceiptUpdate,
    location_rank,
)

if TYPE_CHECKING:
    from civisms.civicrm.api4_client import Api4Client

#: ``IN`` lists per call, as the other api4 verbs.
CHUNK = 500
#: Parts of multipart replies not complete yet, by (provider, sender, reference).
_PARTS: dict[tuple[int, str, str], dict[int, tuple[str, str | None]]] = {}
_PARTS_LOCK = threading.Lock()


class Api4Webhooks:
    """Receipts and replies on the api4 backend (``self.api`` is the client)."""

    api: Api4Client

    if TYPE_CHECKING:  # provided by Api4CiviCRM; declared for type checkers only
        def contacts(self, ids: Sequence[int], fields: Sequence[str] = (), *,
                     include_deleted: bool = True, phones: bool = True) -> list[Contact]: ...
        def create_activity(self, activity: Activity) -> int: ...

    def apply_receipt(self, update: ReceiptUpdate) -> ReceiptResult:
        rows = self.api.values("Activity", "get", {
            "select": ["id", "location"],
            "where": [["activity_type_id:name", "=", "SMS delivery"],
                      ["result", "=", update.message_id]],
            "orderBy": {"id": "DESC"}, "limit": 1})
        if not rows:
            return ReceiptResult("unmatched")
        activity_id = int(rows[0]["id"])
        if update.rank <= location_rank(rows[0].get("location")):
            return ReceiptResult("unchanged", activity_id)
        self.api.values("Activity", "update", {
            "where": [["id", "=", activity_id]],
            "values": {"status_id:name": update.activity_status,
                       "location": update.location[:2048]}})
        targets = self.api.values("ActivityContact", "get", {
            "select": ["contact_id"],
            "where": [["activity_id", "=", activity_id],
                      ["record_type_id:name", "=", RECORD_TYPES["target"]]]})
        return ReceiptResult("updated", activity_id,
                             tuple(int(t["contact_id"]) for t in targets))

    def phones_by_numeric(self, numerics: Sequence[str]) -> list[Phone]:
        wanted = sorted({n for n in numerics if n})
        if not wanted:
            return []
        rows = self.api.values("Phone", "get", {
            "select": ["id", "contact_id", "phone", "phone_numeric", "phone_type_id:name",
                       "is_primary", "location_type_id"],
            "where": [["phone_numeric", "IN", wanted]], "orderBy": {"id": "ASC"}})
        live = {c.id for c in self.contacts(sorted({int(r["contact_id"]) for r in rows}),
                                            include_deleted=False, phones=False)}
        return [_phone(r) for r in rows if int(r["contact_id"]) in live]

    def create_sms_contact(self, number: str) -> int:
        contact = self.api.values("Contact", "create", {
            "values": {"contact_type": "Individual", "display_name": number,
                       "sort_name": number}})
        contact_id = int(contact[0]["id"])
        # The location type is CiviCRM's default one (Phone.create fills it in).
        self.api.values("Phone", "create", {"values": {
            "contact_id": contact_id, "phone": number, "phone_type_id:name": "Mobile",
            "is_primary": True}})
        return contact_id

    def set_do_not_sms(self, contact_ids: Sequence[int], value: bool) -> list[int]:
        ids = sorted({int(c) for c in contact_ids})
        changed: list[int] = []
        for start in range(0, len(ids), CHUNK):
            part = ids[start : start + CHUNK]
            rows = self.api.values("Contact", "get", {
                "select": ["id"],
                "where": [["id", "IN", part], ["do_not_sms", "!=", value],
                          ["is_deleted", "IN", [True, False]]]})
            found = [int(r["id"]) for r in rows]
            if found:
                self.api.values("Contact", "update", {
                    "where": [["id", "IN", found], ["is_deleted", "IN", [True, False]]],
                    "values": {"do_not_sms": value}})
            changed += found
        return changed

    def inbound_part(self, provider_id: int, sender: str, ref: str, part: int, total: int,
                     text: str, message_id: str | None) -> list[tuple[str, str | None]] | None:
        # API v4 has nowhere to keep parts: they wait in this process's memory.
        with _PARTS_LOCK:
            parts = _PARTS.setdefault((provider_id, sender, ref), {})
            parts[part] = (text, message_id)
            if len(parts) < total:
                return None
            return [parts[n] for n in sorted(parts)][:total]

    def inbound_recorded(self, provider_id: int, message_id: str) -> bool:
        return bool(self.api.values("Activity", "get", {
            "select": ["id"],
            "where": [["activity_type_id:name", "=", "Inbound SMS"], ["result", "=", message_id]],
            "limit": 1}))

    def record_inbound(self, provider_id: int, message_id: str | None,
                       activity: Activity) -> int | None:
        if message_id is not None and self.inbound_recorded(provider_id, message_id):
            return None
        return self.create_activity(activity)


def _phone(p: dict[str, Any]) -> Phone:
    return Phone(
        id=p["id"], contact_id=p["contact_id"], phone=p.get("phone") or "",
        phone_numeric=p.get("phone_numeric"), phone_type=p.get("phone_type_id:name"),
        is_primary=bool(p.get("is_primary")), location_type_id=p.get("location_type_id"),
    )
