"""Receipts on the db backend, a batch per transaction: ``DbReceipts.apply_receipts``.

The service hands receipts over in batches (``civisms.web.batch``), so one commit and a
handful of statements serve many receipts. Per message, under its ``civisms_receipt`` row
lock, only a higher rank moves it (see ``ReceiptUpdate``): a replay or a late receipt
changes nothing, whichever worker or batch it lands in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from civisms.civicrm.base import RECORD_TYPES
from civisms.civicrm.queries import placeholders, query
from civisms.model import ReceiptResult, ReceiptUpdate
from civisms.sql import sql_path

if TYPE_CHECKING:
    from civisms.civicrm.dbconn import Database


def sql(name: str) -> str:
    """A named block of ``webhook_queries.sql``."""
    return query(name, sql_path("webhook_queries.sql"))


@dataclass
class _Move:
    """One message a batch moves (or tries to)."""

    update: ReceiptUpdate
    activity_id: int | None
    event_queue_id: int | None
    mailing_id: int | None


class DbReceipts:
    """``apply_receipts`` for ``DbCiviCRM`` (``self.db`` is the connection)."""

    db: Database

    if TYPE_CHECKING:  # provided by DbCiviCRM; declared for type checkers only
        def option_value(self, group: str, name: str) -> int: ...

    def apply_receipt(self, update: ReceiptUpdate) -> ReceiptResult:
        return self.apply_receipts([update])[0]

    def apply_receipts(self, updates: Sequence[ReceiptUpdate]) -> list[ReceiptResult]:
        """Write a batch of receipts in one transaction; one result per update, in order."""
        if not updates:
            return []
        # The highest rank per message speaks for the batch; the others are older news.
        best: dict[tuple[int, str], int] = {}
        for index, u in enumerate(updates):
            key = (u.provider_id, u.message_id)
            if key not in best or u.rank > updates[best[key]].rank:
                best[key] = index
        results = [ReceiptResult("unchanged")] * len(updates)
        with self.db.transaction():
            keys = sorted(best)
            self.db.execute(sql("lock_receipts").format(rows=placeholders(len(keys), 4)),
                            [v for k in keys for v in (*k, "accepted", -1)])
            moves = self._decide([updates[best[k]] for k in keys])
            self._link([m for m in moves if m.activity_id is None])
            self._write(moves)
            targets = self._targets([m.activity_id for m in moves
                                     if m.activity_id and m.update.opted_out])
        moved = {(m.update.provider_id, m.update.message_id): m for m in moves}
        for key, index in best.items():
            move = moved.get(key)
            if move is None:
                continue
            if move.activity_id is None:
                results[index] = ReceiptResult("unmatched")
            else:
                results[index] = ReceiptResult("updated", move.activity_id,
                                               targets.get(move.activity_id, ()))
        return results

    def _decide(self, candidates: list[ReceiptUpdate]) -> list[_Move]:
        """The candidates that move their message, with what is known of it."""
        stored: dict[tuple[int, str], dict[str, Any]] = {}
        by_provider: dict[int, list[str]] = {}
        for u in candidates:
            by_provider.setdefault(u.provider_id, []).append(u.message_id)
        for provider_id, ids in by_provider.items():
            rows = self.db.rows(sql("receipts_of").format(marks=placeholders(len(ids))),
                                [provider_id, *ids])
            stored.update(((provider_id, r["message_id"]), r) for r in rows)
        moves = []
        for u in candidates:
            row = stored[(u.provider_id, u.message_id)]
            rank, activity_id = int(row["status_rank"]), row["activity_id"]
            # Forwards only; the same word again only while its message was unmatched
            # (a receipt that came before the sender wrote its activity, sent again).
            if u.rank > rank or (u.rank == rank and activity_id is None):
                moves.append(_Move(u, activity_id, row["event_queue_id"], row["mailing_id"]))
        return moves

    def _link(self, moves: list[_Move]) -> None:
        """Find the SMS delivery activity and queue item of messages not linked yet."""
        if not moves:
            return
        ids = sorted({m.update.message_id for m in moves})
        marks = placeholders(len(ids))
        delivery = self.option_value("activity_type", "SMS delivery")
        activities = {r["result"]: int(r["id"]) for r in self.db.rows(
            sql("activities_by_result").format(marks=marks), [*ids, delivery])}
        items = {r["provider_message_id"]: r for r in self.db.rows(
            sql("queue_items_by_message").format(marks=marks), ids)}
        for m in moves:
            m.activity_id = activities.get(m.update.message_id)
            item = items.get(m.update.message_id)
            if item is not None:
                m.event_queue_id, m.mailing_id = item["event_queue_id"], item["mailing_id"]

    def _write(self, moves: list[_Move]) -> None:
        """The receipt rows, the activities (grouped by new status), the bounce rows."""
        rows = [(m.update.provider_id, m.update.message_id, m.update.status, m.update.rank,
                 _cut(m.update.provider_status, 64), _cut(m.update.error_code, 64),
                 m.activity_id, m.event_queue_id, m.mailing_id) for m in moves]
        if rows:
            values = placeholders(len(rows), 10).replace("%s)", "NOW())")
            self.db.execute(sql("write_receipts").format(rows=values),
                            [v for row in rows for v in row])
        groups: dict[tuple[str, str], list[int]] = {}
        for m in moves:
            if m.activity_id is not None:
                key = (m.update.activity_status, m.update.location[:2048])
                groups.setdefault(key, []).append(m.activity_id)
        for (status, location), ids in groups.items():
            self.db.execute(sql("move_activities").format(ids=", ".join(map(str, ids))),
                            [self.option_value("activity_status", status), location])
        bounces = [(m.event_queue_id, self._bounce_type(m.update.bounce),
                    m.update.location[:512]) for m in moves
                   if m.update.bounce and m.event_queue_id and m.activity_id is not None]
        if bounces:
            self.db.execute(sql("insert_bounces").format(rows=placeholders(len(bounces), 3)),
                            [v for b in bounces for v in b])

    def _targets(self, activity_ids: list[int]) -> dict[int, tuple[int, ...]]:
        if not activity_ids:
            return {}
        found: dict[int, tuple[int, ...]] = {}
        rows = self.db.rows(
            sql("activity_targets").format(ids=", ".join(map(str, sorted(set(activity_ids))))),
            [self.option_value("activity_contacts", RECORD_TYPES["target"])])
        for r in rows:
            found[r["activity_id"]] = (*found.get(r["activity_id"], ()), int(r["contact_id"]))
        return found

    def _bounce_type(self, name: str | None) -> int | None:
        cache: dict[str, int | None] = self.__dict__.setdefault("_bounce_types", {})
        if name not in cache:
            rows = self.db.rows(sql("bounce_type"), {"name": name})
            cache[name] = int(rows[0]["id"]) if rows else None  # type: ignore[index]
        return cache[name]  # type: ignore[index]


def _cut(value: str | None, size: int) -> str | None:
    return value[:size] if value else None
