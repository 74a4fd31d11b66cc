"""Mass SMS recipients on the db backend: CiviCRM's ``getRecipients`` (SMS mode), set-based.

The rules are CiviCRM's (COMPAT §3.3), run as a handful of ``INSERT ... SELECT`` statements
into temporary tables of one connection, never a round trip per contact. civisms then
checks the chosen numbers (E.164, shared numbers) in one pass over the included rows
and writes ``civicrm_mailing_recipients`` without the contacts it will not text, so
CiviCRM's own reports count exactly the people who get the SMS.

Differences from CiviCRM, on purpose:
* smart-group caches are used as they are (CiviCRM rebuilds stale ones by running the
  saved search, which only CiviCRM can do);
* no ACL clause: civisms acts as a user with every permission;
* among several non-primary mobiles the lowest phone id wins (CiviCRM: unspecified).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import MySQLdb
import MySQLdb.cursors

from civisms.civicrm.dbconn import Database, translate
from civisms.civicrm.mailing_model import MailingGroups
from civisms.civicrm.queries import placeholders, query
from civisms.recipients import NumberNormalizer, Skipped, SkipReason, check_numbers

SQL = Path(__file__).with_name("mailing_queries.sql")
#: Rows per multi-row INSERT of skipped contacts.
CHUNK = 1000


def q(name: str) -> str:
    """A named block of mailing_queries.sql."""
    return query(name, SQL)


@dataclass
class RecipientReport:
    """Outcome of computing a mailing's recipients."""

    mailing_id: int
    recipients: int
    skipped: list[Skipped] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def skipped_by_reason(self) -> dict[str, int]:
        """Count of skipped contacts per reason code."""
        counts: dict[str, int] = {}
        for skip in self.skipped:
            counts[skip.reason.value] = counts.get(skip.reason.value, 0) + 1
        return counts


class RecipientBuilder:
    """Computes and writes ``civicrm_mailing_recipients`` for one mailing."""

    def __init__(self, db: Database, mobile_type: int) -> None:
        self.db = db
        self.mobile = mobile_type
        self.timings: dict[str, float] = {}
        self.steps: dict[str, float] = {}  # seconds per SQL step, for the benchmark

    def build(
        self, mailing_id: int, groups: MailingGroups, *, region: str | None,
        dedupe_numbers: bool = True,
    ) -> RecipientReport:
        """Recompute the mailing's recipients (delete + insert, in one transaction)."""
        self.timings = {}
        args = {"mailing_id": mailing_id, "mobile": self.mobile}
        self._run("mr_drop")
        self._run("mr_memory")
        for table in ("excl", "incl", "smart", "cand", "skip"):
            self._run(f"mr_create_{table}")
        try:
            if not (groups.include_groups or groups.include_mailings):
                # getRecipients: no Include group and no Include mailing → no recipients.
                self.db.rowcount(q("mr_delete_recipients"), args)
                return RecipientReport(mailing_id, 0)
            smart = self._smart(groups)
            with self._timed("civicrm rules"):
                self._exclusions(groups, smart)
                self._inclusions(groups, smart, args)
                self._candidates(groups, smart)
                self.db.rowcount(q("mr_civicrm_skips"))
            with self._timed("numbers"):
                check = check_numbers(
                    self._numbers(), region=region, dedupe_numbers=dedupe_numbers,
                    normalizer=NumberNormalizer(region),
                )
                self._insert_skips(check.skipped)
            with self._timed("write"):
                count = self._write(args)
            with self._timed("report"):
                skipped = self._skips()
            return RecipientReport(mailing_id, count, skipped, dict(self.timings))
        finally:
            self._run("mr_drop")

    # -- steps ---------------------------------------------------------------------------

    def _write(self, args: dict[str, Any]) -> int:
        """Replace the snapshot in one transaction (readers never see it empty)."""
        self._run("mr_fk_checks_off")
        try:
            with self.db.transaction():
                self.db.rowcount(q("mr_delete_stale_recipients"), args)
                self.db.rowcount(q("mr_insert_recipients"), args)
                return int(self.db.rows(q("mr_count_recipients"), args)[0]["n"])
        finally:
            self._run("mr_fk_checks_on")

    def _smart(self, groups: MailingGroups) -> set[int]:
        ids = sorted({*groups.include_groups, *groups.exclude_groups})
        if not ids:
            return set()
        rows = self.db.rows(q("mr_smart_groups").format(ids=placeholders(len(ids))), ids)
        return {int(r["id"]) for r in rows}

    def _exclusions(self, groups: MailingGroups, smart: set[int]) -> None:
        self._with_ids("mr_exclude_groups", groups.exclude_groups)
        self._with_ids("mr_exclude_smart", [g for g in groups.exclude_groups if g in smart])
        self._with_ids("mr_exclude_mailings", groups.exclude_mailings)
        self._with_ids("mr_exclude_base", groups.base_groups)

    def _inclusions(self, groups: MailingGroups, smart: set[int], args: dict[str, Any]) -> None:
        # Order matters, as in CiviCRM: static groups, then prior mailings (INSERT IGNORE),
        # then smart groups, whose rows replace earlier ones.
        self._with_ids("mr_include_static", groups.include_groups, args)
        self._with_ids("mr_include_static_other", groups.include_groups, args)
        self._with_ids("mr_include_mailings", groups.include_mailings)
        smart_includes = [g for g in groups.include_groups if g in smart]
        if smart_includes:
            self._with_ids("mr_include_smart", smart_includes, args)
            self._run("mr_merge_smart")

    def _candidates(self, groups: MailingGroups, smart: set[int]) -> None:
        self._with_ids("mr_candidates_static", groups.include_groups)
        self._with_ids("mr_candidates_smart", [g for g in groups.include_groups if g in smart])
        self._with_ids("mr_candidates_mailings", groups.include_mailings)

    def _numbers(self) -> Iterator[tuple[int, int | None, str | None]]:
        """The included rows, streamed as plain tuples (a million of them is fine)."""
        conn = self.db.conn
        try:
            cur = conn.cursor(MySQLdb.cursors.SSCursor)
            try:
                cur.execute(q("mr_included_numbers"))
                while batch := cur.fetchmany(10_000):
                    yield from batch
            finally:
                cur.close()
        except MySQLdb.Error as exc:
            raise translate(exc, self.db.params) from None

    def _insert_skips(self, skipped: Sequence[Skipped]) -> None:
        for start in range(0, len(skipped), CHUNK):
            part = skipped[start : start + CHUNK]
            sql = q("mr_insert_skips").format(rows=placeholders(len(part), 3))
            self.db.rowcount(sql, [v for s in part for v in (s.contact_id, s.reason.value,
                                                               s.detail[:255])])

    def _skips(self) -> list[Skipped]:
        return [
            Skipped(int(r["contact_id"]), SkipReason(r["reason"]), r["detail"] or "")
            for r in self.db.rows(q("mr_skips"))
        ]

    # -- helpers -------------------------------------------------------------------------

    def _with_ids(self, name: str, ids: Sequence[int], args: dict[str, Any] | None = None) -> None:
        if not ids:
            return
        marks = ", ".join(str(int(i)) for i in ids)  # ints only: safe to inline
        start = time.perf_counter()
        self.db.rowcount(q(name).format(ids=marks), args)
        self.steps[name] = time.perf_counter() - start

    def _run(self, name: str) -> None:
        self.db.rowcount(q(name))

    def _timed(self, label: str) -> _Timer:
        return _Timer(self.timings, label)


class _Timer:
    def __init__(self, timings: dict[str, float], label: str) -> None:
        self.timings, self.label = timings, label

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timings[self.label] = time.perf_counter() - self.start
