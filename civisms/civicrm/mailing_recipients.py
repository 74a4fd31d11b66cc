"""Mass SMS recipients on the db backend: CiviCRM's ``getRecipients`` (SMS mode), set-based.

The rules are CiviCRM's (COMPAT §3.3), run as a handful of ``INSERT ... SELECT`` statements
into temporary tables, never a round trip per contact. civisms then checks the chosen
numbers (E.164, shared numbers) and leaves the contacts it will not text out of
``civicrm_mailing_recipients``, so CiviCRM's own reports count exactly the people who get
the SMS.

A large site is worked out in ranges of contact ids, side by side, each on a connection of
its own: the rules of each range, then its chosen rows read back in pages and written,
while this thread checks their numbers. At the end the few contacts a later page showed
to share a lower contact's number are deleted and every range commits. On a
1,000,000-contact site that keeps both the database and Python busy instead of taking
turns (``bench/bench_recipients.py``).

Differences from CiviCRM, on purpose:
* smart-group caches are used as they are (CiviCRM rebuilds stale ones by running the
  saved search, which only CiviCRM can do);
* no ACL clause: civisms acts as a user with every permission;
* among several non-primary mobiles the lowest phone id wins (CiviCRM: unspecified);
* CiviCRM's tables are read in READ COMMITTED, without locks (CiviCRM's INSERT ... SELECT
  in REPEATABLE READ share-locks every row it reads, holding up users saving contacts);
* with several ranges, the recipient row ids of the ranges interleave (page by page)
  instead of following contact order throughout; the set of rows is the same.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from queue import Empty, Queue
from typing import Any

from civisms.civicrm.dbconn import Database
from civisms.civicrm.mailing_model import MailingGroups
from civisms.civicrm.queries import integers, placeholders, query
from civisms.errors import CiviCRMError
from civisms.recipients import NumberChecker, Skipped, SkipReason
from civisms.sql import sql_path

SQL = sql_path("mailing_queries.sql")
#: Chosen rows read, written and checked at a time.
PAGE = 20_000
#: Ids per DELETE or look-up statement.
CHUNK = 5000
#: Contact ids on the site from which it is worked out in two ranges side by side.
SPLIT_AT = 100_000
#: Size of the first range against each other one (see _split).
FIRST_WEIGHT = 0.54
#: Seconds a thread holds the GIL while another wants it, during a computation.
HANDOFF = 0.0005
#: Candidates of a range against its contact ids from which the contacts are scanned for
#: CiviCRM's criteria; with fewer, each candidate's contact row is looked up instead.
SCAN_SHARE = 1 / 8
#: Seconds to wait for another computation of the same mailing to finish.
LOCK_WAIT = 60
_LAST_ID = 4_294_967_295  # INT UNSIGNED
#: Indexes of CiviCRM's that some statements name in FORCE INDEX, where the site has them:
#: (placeholder in mailing_queries.sql, table, index).
_HINTS = (("deceased", "civicrm_contact", "index_is_deceased"),
          ("by_mailing", "civicrm_mailing_recipients", "FK_civicrm_mailing_recipients_mailing_id"))


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
    ranges: int = 1

    def skipped_by_reason(self) -> dict[str, int]:
        """Count of skipped contacts per reason code."""
        counts: dict[str, int] = {}
        for skip in self.skipped:
            counts[skip.reason.value] = counts.get(skip.reason.value, 0) + 1
        return counts


class RecipientBuilder:
    """Computes and writes ``civicrm_mailing_recipients`` for one mailing."""

    def __init__(self, db: Database, mobile_type: int, *, ranges: int | None = None) -> None:
        self.db = db
        self.mobile = mobile_type
        self.ranges = ranges  # None: two on a large site, else one

    def build(
        self, mailing_id: int, groups: MailingGroups, *, region: str | None,
        dedupe_numbers: bool = True,
    ) -> RecipientReport:
        """Recompute the mailing's recipients; on any error the old snapshot stays."""
        lock = {"name": lock_name(self.db.params.database, mailing_id)}
        if self.db.rows(q("mr_lock"), {**lock, "wait": LOCK_WAIT})[0]["got"] != 1:
            raise CiviCRMError(
                f"mailing {mailing_id}: another civisms is computing its recipients; "
                "run the command again when it has finished")
        try:
            if not (groups.include_groups or groups.include_mailings):
                # getRecipients: no Include group and no Include mailing → no recipients.
                self.db.rowcount(q("mr_delete_recipients"), {"mailing_id": mailing_id})
                return RecipientReport(mailing_id, 0)
            checker = NumberChecker(region, dedupe_numbers=dedupe_numbers)
            return self._build(mailing_id, groups, checker)
        finally:
            self.db.rows(q("mr_unlock"), lock)

    def _build(self, mailing_id: int, groups: MailingGroups,
               checker: NumberChecker) -> RecipientReport:
        start = time.perf_counter()
        smart = self._smart(groups)
        # Asked once, before any range writes: a range asking later would wade through the
        # other ranges' uncommitted rows in the mailing_id index.
        old = bool(self.db.rows(q("mr_any_rows"), {"mailing_id": mailing_id}))
        parts = self._split()
        try:
            _Run(parts, mailing_id, groups, smart, self.mobile, old).check_all(checker)
            rules_done = max(p.rules_done for p in parts)
            written = time.perf_counter()
            check = checker.result()
            for part in parts:  # written before a lower contact with their number came
                part.drop_contacts(mailing_id, checker.displaced)
            for part in parts:
                part.commit()
            count = sum(part.rows for part in parts)
        except BaseException:
            for part in parts:
                part.rollback()
            raise
        finally:
            for part in parts:
                part.close()
        skipped = sorted([*(s for p in parts for s in p.skipped), *check.skipped],
                         key=lambda s: s.contact_id)
        timings = {"civicrm rules": rules_done - start,
                   "write + numbers": written - rules_done,
                   "finish": time.perf_counter() - written}
        return RecipientReport(mailing_id, count, skipped, timings, len(parts))

    def _smart(self, groups: MailingGroups) -> set[int]:
        ids = sorted({*groups.include_groups, *groups.exclude_groups})
        if not ids:
            return set()
        rows = self.db.rows(q("mr_smart_groups").format(ids=integers(ids)))
        return {int(r["id"]) for r in rows}

    def _hints(self) -> dict[str, str]:
        """The FORCE INDEX clause of each of _HINTS, empty where the site lacks the index
        (sites may drop or rename CiviCRM's indexes)."""
        names = [index for _name, _table, index in _HINTS]
        rows = self.db.rows(q("mr_indexes").format(ids=placeholders(len(names))), names)
        found = {(r["table_name"], r["index_name"]) for r in rows}
        return {name: f"FORCE INDEX ({index})" if (table, index) in found else ""
                for name, table, index in _HINTS}

    def _split(self) -> list[_Range]:
        """The ranges of contact ids, the first on this connection, each other on its own."""
        span = self.db.rows(q("mr_contact_span"))[0]
        lo, hi = int(span["lo"] or 0), int(span["hi"] or 0)
        count = self.ranges or (2 if hi - lo >= SPLIT_AT else 1)
        binlog = self.db.rows(q("mr_binlog"))[0]
        # READ COMMITTED (see mr_read_committed) is refused with statement-based binary
        # logs; there one range, in the server's own isolation, as CiviCRM reads.
        read_committed = not (binlog["log_bin"]
                              and str(binlog["binlog_format"]).upper() == "STATEMENT")
        if not read_committed:
            count = 1
        # The first range is the smallest (a third of two): its rules end soonest, so
        # writing starts early while the other ranges' rules run beside it.
        weights = [FIRST_WEIGHT] + [1.0] * (count - 1)
        edges = [lo + int((hi - lo + 1) * sum(weights[:i]) / sum(weights))
                 for i in range(count + 1)]
        edges[0], edges[-1] = 0, _LAST_ID + 1
        hints = self._hints()
        parts = []
        for i in range(count):
            db = self.db if i == 0 else Database(self.db.params)
            first, last = edges[i], edges[i + 1] - 1
            parts.append(_Range(db, first, last, own=i > 0, read_committed=read_committed,
                                hints=hints,
                                contacts=max(0, min(last, hi) - max(first, lo) + 1)))
        return parts


class _ShortTurns:
    """The GIL switch interval is the process's: while any computation runs it is
    HANDOFF, and the last one to finish puts back what was there before the first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._before = 0.0

    def enter(self) -> None:
        with self._lock:
            if self._running == 0:
                self._before = sys.getswitchinterval()
                sys.setswitchinterval(min(HANDOFF, self._before))
            self._running += 1

    def leave(self) -> None:
        with self._lock:
            self._running -= 1
            if self._running == 0:
                sys.setswitchinterval(self._before)


_short_turns = _ShortTurns()


class _Cancelled(Exception):
    """The main thread gave up: stop producing."""


@dataclass
class _Done:
    error: BaseException | None = None


_Page = list[tuple[int, str | None]]  # (contact_id, phone) in contact order


class _Run:
    """The ranges' threads, and the number checks of their pages in this thread.

    A range hands over each page of chosen rows and writes it once told who in it is left
    out, so those rows are never written; it reads its next page meanwhile.
    """

    def __init__(self, parts: list[_Range], mailing_id: int, groups: MailingGroups,
                 smart: set[int], mobile: int, old: bool) -> None:
        self.parts, self.mailing_id, self.groups = parts, mailing_id, groups
        self.smart, self.mobile, self.old = smart, mobile, old
        self.pages: Queue[tuple[int, _Page] | tuple[int, _Done]] = Queue()
        self.verdicts: list[Queue[list[int]]] = [Queue() for _ in parts]
        self.failed = threading.Event()  # a range failed: the others stop early
        self.abandoned = threading.Event()  # this thread stopped answering

    def check_all(self, checker: NumberChecker) -> None:
        """Run every range, check each page as it comes; raise a range's error."""
        threads = [threading.Thread(target=self._work, args=(i, p), daemon=True,
                                    name=f"civisms-recipients-{i}")
                   for i, p in enumerate(self.parts)]
        for thread in threads:
            thread.start()
        errors: list[BaseException] = []
        # A range thread whose statement returns waits for the GIL while this thread
        # checks numbers: by default up to 5 ms, each time, several times a page, with
        # the database idle meanwhile. Shorter turns keep its statements back to back.
        _short_turns.enter()
        try:
            done = 0
            while done < len(threads):
                index, item = self.pages.get()
                if isinstance(item, _Done):
                    done += 1
                    if item.error is not None:
                        errors.append(item.error)
                        self.failed.set()
                else:
                    self.verdicts[index].put([] if errors else checker.add(item))
        except BaseException:
            self.abandoned.set()
            self.failed.set()
            raise
        finally:
            for thread in threads:
                thread.join()
            _short_turns.leave()
        if errors:
            raise errors[0]

    def _work(self, index: int, part: _Range) -> None:
        try:
            part.rules(self.groups, self.smart, self.mobile)
            part.write(self.mailing_id, self.old, lambda page: self.pages.put((index, page)),
                       lambda: self._verdict(index), self.failed)
        except BaseException as exc:  # handed to the main thread, which raises it
            self.pages.put((index, _Done(exc)))
        else:
            self.pages.put((index, _Done()))

    def _verdict(self, index: int) -> list[int]:
        while True:
            try:
                return self.verdicts[index].get(timeout=0.2)
            except Empty:
                if self.abandoned.is_set():
                    raise _Cancelled() from None


class _Range:
    """One range of contact ids, its temporary tables and its transaction."""

    def __init__(self, db: Database, lo: int, hi: int, *, own: bool,
                 read_committed: bool, hints: dict[str, str], contacts: int) -> None:
        self.db, self.lo, self.hi = db, lo, hi
        self.contacts = contacts  # contact ids of the site in this range
        self.own = own  # a connection of its own, closed at the end
        self.read_committed = read_committed
        self.skipped: list[Skipped] = []
        self.hints = hints  # FORCE INDEX clauses, by placeholder (see _HINTS)
        self.rules_done = 0.0
        self.rows = 0  # the mailing's rows in this range, as this transaction leaves them
        self.open = False  # a transaction is open

    def args(self, **more: Any) -> dict[str, Any]:
        return {"lo": self.lo, "hi": self.hi, **more}

    def rules(self, groups: MailingGroups, smart: set[int], mobile: int) -> None:
        """CiviCRM's rules for this range, into civisms_mr_incl; the reasons for the rest."""
        for name in ("mr_drop", "mr_memory", "mr_create_excl", "mr_create_cand",
                     "mr_create_out", "mr_create_removed", "mr_create_incl"):
            self.db.rowcount(q(name))
        if self.read_committed:  # the CiviCRM tables are read without locks
            self.db.rowcount(q("mr_read_committed"))
            self.db.begin()
            self.open = True
        self._with_ids("mr_exclude_groups", groups.exclude_groups)
        self._with_ids("mr_exclude_smart", [g for g in groups.exclude_groups if g in smart])
        self._with_ids("mr_exclude_mailings", groups.exclude_mailings)
        self._with_ids("mr_exclude_base", groups.base_groups)
        candidates = self._with_ids("mr_candidates_static", groups.include_groups)
        smart_include = [g for g in groups.include_groups if g in smart]
        self._with_ids("mr_removed_smart", smart_include)
        candidates += self._with_ids("mr_candidates_smart", smart_include)
        if groups.include_groups:
            scan = candidates >= self.contacts * SCAN_SHARE
            tables = ("civicrm_contact c JOIN civisms_mr_cand k" if scan
                      else "civisms_mr_cand k JOIN civicrm_contact c")
            self.db.rowcount(q("mr_out_excluded"), self.args())
            self.db.rowcount(q("mr_out_contacts").format(tables=tables), self.args())
            self.db.rowcount(q("mr_drop_out"), self.args())
            self.db.rowcount(q("mr_include_groups"), self.args(mobile=mobile))
        self._with_ids("mr_include_mailings", groups.include_mailings)
        self._with_ids("mr_candidates_mailings", groups.include_mailings)
        self.skipped = [Skipped(int(c), SkipReason(r))
                        for sql in (q("mr_civicrm_skips_out"),
                                    q("mr_civicrm_skips").format(**self.hints))
                        for c, r in self.db.tuples(sql)]
        self.commit()  # only read: the temporary tables keep what the rules found
        self.rules_done = time.perf_counter()

    def write(self, mailing_id: int, old: bool, hand_over: Callable[[_Page], None],
              verdict: Callable[[], list[int]], failed: threading.Event) -> None:
        """Open the transaction and drop stale rows (``old``: the mailing has a snapshot);
        then, page by page, hand the chosen rows to the number checks and insert those the
        checks keep and the snapshot lacks, reading the next page while the checks run."""
        db = self.db
        db.rowcount(q("mr_fk_checks_off"))
        if self.read_committed:
            db.rowcount(q("mr_read_committed"))
        db.begin()
        self.open = True
        args = self.args(mailing_id=mailing_id)
        if old:
            db.rowcount(q("mr_create_old"))
            self.rows = db.rowcount(q("mr_load_old").format(**self.hints), args)
            self._delete_rows([r[0] for r in db.tuples(q("mr_stale_rows"))])
        page_sql = q("mr_page").format(limit=PAGE)
        insert = q("mr_insert_page")
        absent = q("mr_absent") if old else ""
        after = 0
        page: _Page = db.tuples(page_sql, {"after": after})  # type: ignore[assignment]
        if page:
            hand_over(page)
        while page and not failed.is_set():
            last = page[-1][0]
            following: _Page = db.tuples(page_sql, {"after": last})  # type: ignore[assignment]
            if following:
                hand_over(following)
            left_out = verdict()
            skip = f"AND i.contact_id NOT IN ({integers(left_out)})" if left_out else ""
            if old and left_out:
                sql = q("mr_old_rows_of").format(ids=integers(left_out))
                self._delete_rows([r[0] for r in db.tuples(sql)])
            self.rows += db.rowcount(insert.format(absent=absent, skip=skip),
                                     {**args, "after": after, "last": last})
            after, page = last, following

    def drop_contacts(self, mailing_id: int, contact_ids: Sequence[int]) -> None:
        """Delete the rows of these contacts that fall in this range (civisms' skips:
        invalid and shared numbers), so CiviCRM's reports count who gets the SMS."""
        mine = [c for c in contact_ids if self.lo <= c <= self.hi]
        for start in range(0, len(mine), CHUNK):
            sql = q("mr_contact_rows").format(ids=integers(mine[start : start + CHUNK]))
            self._delete_rows([r[0] for r in self.db.tuples(sql, {"mailing_id": mailing_id})])

    def _delete_rows(self, ids: Sequence[int]) -> None:
        for start in range(0, len(ids), CHUNK):
            sql = q("mr_delete_rows").format(ids=integers(ids[start : start + CHUNK]))
            self.rows -= self.db.rowcount(sql)

    def commit(self) -> None:
        if self.open:
            self.db.commit()
            self.open = False

    def rollback(self) -> None:
        if self.open:
            self.open = False
            self.db.rollback()

    def close(self) -> None:
        """Back to a clean connection: tables dropped, checks on (or closed if our own)."""
        if self.own:
            self.db.close()
            return
        with suppress(CiviCRMError):  # never hide the error that brought us here
            self.db.rowcount(q("mr_drop"))
            self.db.rowcount(q("mr_fk_checks_on"))

    def _with_ids(self, name: str, ids: Sequence[int]) -> int:
        """Run the named statement for these ids (none: not at all); its row count."""
        if not ids:
            return 0
        return self.db.rowcount(q(name).format(ids=integers(ids), **self.hints), self.args())


def lock_name(database: str, mailing_id: int, purpose: str = "recipients") -> str:
    """The named lock of one mailing's computation (or other ``purpose``): readable, and
    within MariaDB's 64 characters even for a long database name (then hashed, never cut:
    two mailings must not share a lock)."""
    name = f"civisms.{purpose}.{database}.{mailing_id}"
    if len(name) > 64:
        digest = hashlib.sha1(database.encode()).hexdigest()[:20]
        name = f"civisms.{purpose}.{digest}.{mailing_id}"
    return name
