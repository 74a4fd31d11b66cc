"""The mass-SMS job's database verbs: CiviCRM's job tables, its named locks, civisms' claims.

Everything the scheduled job reads or writes in the CiviCRM database goes through
``JobStore`` (SQL in ``job_queries.sql``). It mirrors ``CRM_Mailing_BAO_MailingJob`` and
``CRM_Mailing_BAO_SMSJob`` (COMPAT §3.5-3.8) and adds two civisms-owned tables, created on
first use: ``civisms_queue_state`` (per queue row: sending / sent / failed / unknown) and
``civisms_mailing_pause`` (why civisms paused a mailing). Columns that only some CiviCRM
versions have are detected, never assumed (VERSIONS.md).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from civisms.civicrm.db import DbCiviCRM
from civisms.civicrm.queries import id_ranges, placeholders, query
from civisms.errors import CiviCRMError
from civisms.sql import sql_path

_SQL = sql_path("job_queries.sql")
log = logging.getLogger("civisms.jobs")
#: CRM_Core_Lock::TIMEOUT: how long CiviCRM waits for a job lock before skipping the job.
CIVICRM_LOCK_TIMEOUT = 3
#: Rows per multi-row INSERT.
CHUNK = 1000


def sql(name: str) -> str:
    """A named block of ``job_queries.sql``."""
    return query(name, _SQL)


def queue_hashes(count: int) -> list[str]:
    """``count`` values of CRM_Mailing_Event_BAO_MailingEventQueue::hash: 16 lowercase
    [a-z0-9] characters each (random base64 without ``+/=``, lowercased), drawn at once."""
    text = ""
    while len(text) < 16 * count:  # 16 random bytes give about 20.7 such characters
        text += base64.b64encode(os.urandom(16 * count)).translate(None, b"+/=").decode()
    text = text.lower()
    return [text[i : i + 16] for i in range(0, 16 * count, 16)]


def php_value(raw: str | None) -> Any:
    """A ``civicrm_setting.value`` (PHP-serialized scalar) as Python; None when unset."""
    if raw is None:
        return None
    match = re.fullmatch(r'\s*(?:([ib]):(-?\d+)|s:\d+:"(.*)"|d:([-\d.eE]+)|(N));\s*', raw, re.S)
    if not match:
        return raw
    kind, number, text, real, null = match.groups()
    if null:
        return None
    if kind == "b":
        return number == "1"
    if kind == "i":
        return int(number)
    return float(real) if real is not None else text


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True)
class MailerSettings:
    """CiviMail settings the SMS job obeys (``Mailing.setting.php`` defaults)."""

    job_size: int = 0  # mailerJobSize: recipients per child job, 0 = one child
    batch_limit: int = 0  # mailerBatchLimit: messages per run, 0 = unlimited
    jobs_max: int = 0  # mailerJobsMax: concurrent senders, 0 = no lock
    sync_interval: int = 10  # civimail_sync_interval
    throttle_us: int = 0  # mailThrottleTime: µs after each message
    write_activity: bool = True  # write_activity_record
    server_wide_lock: bool = False  # civimail_server_wide_lock
    workflow: bool = False  # civimail_workflow: only Approved mailings are sent


@dataclass(frozen=True, slots=True)
class Claimed:
    """A queue row this worker now owns: who, on which number as stored."""

    queue_id: int
    contact_id: int
    phone: str | None
    opted_out_of_all: bool  # both is_opt_out and do_not_sms: SMSJob::deliver skips it


@dataclass(frozen=True, slots=True)
class Settle:
    """The outcome of one claimed row, ready to write.

    ``state`` is ``sent`` / ``failed`` / ``unknown``, or ``release`` (never handed to the
    gateway: pending again). A ``bounce`` type name adds a ``civicrm_mailing_event_bounce``
    row; ``text`` (with ``activity_status``) adds an ``SMS delivery`` activity.
    """

    queue_id: int
    contact_id: int
    state: str
    message_id: str | None = None
    error: str | None = None
    bounce: str | None = None
    text: str | None = None
    activity_status: str | None = None


class JobStore:
    """The job's verbs on one CiviCRM database connection (locks live on it)."""

    #: Seconds an upgrade of civisms' table waits for another worker's transaction.
    UPGRADE_WAIT = 10

    def __init__(self, civicrm: DbCiviCRM, worker: str) -> None:
        self.civicrm = civicrm
        self.db = civicrm.db
        self.domain_id = civicrm.domain_id
        self.worker = worker[:128]
        self._columns: dict[str, frozenset[str]] = {}
        self._bounce_types: dict[str, int] | None = None
        self._ready = False

    # -- set-up ---------------------------------------------------------------------------

    def prepare(self) -> None:
        """Create civisms' tables if missing; read committed rows (no gap locks)."""
        if self._ready:
            return
        self.db.execute(sql("create_queue_state"))
        self._upgrade_queue_state()
        self.db.execute(sql("create_mailing_pause"))
        self.db.execute(sql("create_mailing_override"))
        self.db.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
        self._ready = True

    def _upgrade_queue_state(self) -> None:
        """Take ``state`` out of an older table's secondary keys (job_queries.sql says why).

        Online (writes go on); waits at most ``UPGRADE_WAIT`` seconds for the table's
        metadata lock, behind another worker's open transaction, and otherwise leaves it to
        the next run.
        """
        if not self.db.rows(sql("queue_state_keys_with_state"))[0]["n"]:
            return
        log.info("event=upgrade table=civisms_queue_state keys=without_state")
        self.db.execute(f"SET SESSION lock_wait_timeout = {int(self.UPGRADE_WAIT)}")
        try:
            self.db.execute(sql("queue_state_keys_without_state"))
        except CiviCRMError as exc:
            log.warning("civisms_queue_state keeps its older keys for now (%s); the next "
                        "job run tries again", exc)
        finally:
            self.db.execute("SET SESSION lock_wait_timeout = DEFAULT")

    def columns(self, table: str) -> frozenset[str]:
        """The columns ``table`` has on this site."""
        if table not in self._columns:
            rows = self.db.rows(sql("table_columns"), {"table": table})
            self._columns[table] = frozenset(r["name"] for r in rows)
        return self._columns[table]

    def mailer_settings(self) -> MailerSettings:
        """The CiviMail settings stored for this domain (defaults where unset)."""
        values: dict[str, Any] = {}
        for row in self.db.rows(sql("mailer_settings"), {"domain_id": self.domain_id}):
            values.setdefault(row["name"], php_value(row["value"]))
        activity = values.get("write_activity_record")
        return MailerSettings(
            # A negative size or limit would split into no child job and complete the
            # mailing unsent: anything at or below 0 means 0 ("no limit"), as CiviCRM reads it.
            job_size=max(0, _int(values.get("mailerJobSize"))),
            batch_limit=max(0, _int(values.get("mailerBatchLimit"))),
            jobs_max=max(0, _int(values.get("mailerJobsMax"))),
            sync_interval=_int(values.get("civimail_sync_interval"), 10) or 10,
            throttle_us=_int(values.get("mailThrottleTime")),
            write_activity=True if activity is None else bool(_int(activity, 1)),
            server_wide_lock=bool(_int(values.get("civimail_server_wide_lock"))),
            workflow=bool(_int(values.get("civimail_workflow"))),
        )

    def _approval(self, settings: MailerSettings) -> str:
        if not settings.workflow:
            return ""
        approved = self.civicrm.option_values("mail_approval_status").get("Approved", 1)
        return f"AND m.approval_status_id = {int(approved)}"

    # -- CiviCRM's named locks (CRM_Core_Lock) ------------------------------------------------

    def lock_id(self, name: str, *, server_wide: bool = False) -> str:
        """The GET_LOCK name CiviCRM uses: sha1 of ``{database}.{domain}.{name}``."""
        full = name if server_wide else f"{self.db.params.database}.{self.domain_id}.{name}"
        return hashlib.sha1(full.encode()).hexdigest()

    def acquire(self, name: str, timeout: float = CIVICRM_LOCK_TIMEOUT, *,
                server_wide: bool = False) -> bool:
        """Take a CiviCRM lock on this connection; False when someone else holds it."""
        lock = self.lock_id(name, server_wide=server_wide)
        got = self.db.rows(sql("get_lock"), {"name": lock, "timeout": timeout})[0]["got"]
        return bool(got)

    def release(self, name: str, *, server_wide: bool = False) -> None:
        """Give a lock back."""
        self.db.rows(sql("release_lock"), {"name": self.lock_id(name, server_wide=server_wide)})

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All statements inside commit together, or none does."""
        with self.db.transaction():
            yield

    # -- runJobs_pre: split parents -----------------------------------------------------------

    def due_parents(self, settings: MailerSettings, now: datetime) -> list[dict[str, Any]]:
        """Parent jobs of this domain's SMS mailings that are due."""
        text = sql("due_parents").format(approval=self._approval(settings))
        return self.db.rows(text, {"domain_id": self.domain_id, "now": now})

    def job(self, job_id: int) -> dict[str, Any] | None:
        """One job row, freshly read."""
        rows = self.db.rows(sql("job"), {"id": job_id})
        return rows[0] if rows else None

    def split_parent(self, parent_id: int, job_size: int, now: datetime) -> int | None:
        """Split a due parent into child jobs (``split_job``); start it and its mailing.

        Returns the number of children created (0 when it already had some: a resumed
        parent is only started again), None when another worker started it first. One
        transaction, so a crash never splits twice.
        """
        from datetime import timedelta

        with self.transaction():
            job = self.job(parent_id)
            if job is None or job["status"] != "Scheduled":
                return None
            made = 0
            if not self.db.rows(sql("child_count"), {"id": parent_id})[0]["n"]:
                count = self.db.rows(sql("recipient_count"),
                                     {"mailing_id": job["mailing_id"]})[0]["n"]
                base = {"mailing_id": job["mailing_id"], "parent_id": parent_id}
                if job_size <= 0 or count <= job_size:
                    self.db.execute(sql("insert_child"), {
                        **base, "scheduled_date": job["scheduled_date"], "job_offset": 0,
                        "job_limit": count})
                    made = 1
                else:
                    for k, offset in enumerate(range(0, count, job_size)):
                        when = job["scheduled_date"] + timedelta(seconds=k)
                        self.db.execute(sql("insert_child"), {
                            **base, "scheduled_date": when, "job_offset": offset,
                            "job_limit": job_size})
                        made += 1
            self.db.execute(sql("start_job"), {"id": parent_id, "now": now})
            if "status" in self.columns("civicrm_mailing"):
                self.db.execute(sql("start_mailing"), {"id": job["mailing_id"], "now": now})
        return made

    # -- runJobs: children and their queue ----------------------------------------------------

    def due_children(self, settings: MailerSettings, now: datetime) -> list[dict[str, Any]]:
        """Child jobs to work on, in CiviCRM's order (scheduled date, id)."""
        text = sql("due_children").format(approval=self._approval(settings))
        return self.db.rows(text, {"domain_id": self.domain_id, "now": now})

    def still_due(self, mailing_id: int | None = None) -> tuple[int, datetime | None]:
        """After a pass: about how many messages later passes send, and when the first of
        the child jobs not yet started is due (None: none is waiting)."""
        args = {"domain_id": self.domain_id, "mailing_id": mailing_id}
        waiting = self.db.rows(sql("unstarted_children"), args)
        messages = int(self.db.rows(sql("pending_in_running"), args)[0]["n"] or 0)
        messages += sum(max(0, int(r["recipients"]) - int(r["first_offset"] or 0))
                        for r in waiting)
        return messages, min((r["next_at"] for r in waiting), default=None)

    def mailing(self, mailing_id: int) -> dict[str, Any] | None:
        """The mailing row fields the job needs."""
        rows = self.db.rows(sql("mailing"), {"id": mailing_id})
        return rows[0] if rows else None

    def start_child(self, job: dict[str, Any], now: datetime, page: int = 5000) -> int:
        """Queue a child's recipients once, then mark it Running; return rows queued.

        As ``mailingQuery``: recipients in id order from ``job_offset``, at most
        ``job_limit``, with the contact flags checked again; rows without a phone or an
        email are skipped. One transaction: a crash leaves either the whole queue or none.
        """
        queued = 0
        with self.transaction():
            current = self.job(job["id"])
            if current is None or current["status"] not in ("Scheduled", "Running"):
                return 0
            fresh = not self.db.rows(sql("queue_exists"), {"job_id": job["id"]})
            if fresh:
                queued = self._queue(current, page)
            if current["status"] == "Scheduled":
                self.db.execute(sql("start_job"), {"id": job["id"], "now": now})
        return queued

    def _queue(self, job: dict[str, Any], page: int) -> int:
        cols = self.columns("civicrm_mailing_event_queue")
        names = ["job_id", "email_id", "phone_id", "contact_id", "hash"]
        extra = [c for c in ("mailing_id", "is_test") if c in cols]  # since 5.67
        tail = tuple(job["mailing_id"] if c == "mailing_id" else 0 for c in extra)
        limit, after, skip, total = int(job["job_limit"] or 0), 0, int(job["job_offset"] or 0), 0
        while limit <= 0 or total < limit:
            size = page if limit <= 0 else min(page, limit - total)
            rows = self.db.rows(sql("recipients_page"), {
                "mailing_id": job["mailing_id"], "after": after, "skip": skip, "size": size})
            if not rows:
                break
            skip, after, total = 0, rows[-1]["id"], total + len(rows)
            rows = [r for r in rows if r["email_id"] or r["phone_id"]]
            values = [
                (job["id"], r["email_id"], r["phone_id"], r["contact_id"], hashed, *tail)
                for r, hashed in zip(rows, queue_hashes(len(rows)), strict=True)
            ]
            self._insert_many("insert_queue", values, columns=", ".join(names + extra))
        return total

    def mark_stale(self, job_id: int) -> int:
        """Turn rows left 'sending' by a dead worker into 'unknown' (hold the job lock)."""
        return self.db.rowcount(sql("stale_sending"), {"job_id": job_id})

    # -- claims -----------------------------------------------------------------------------

    def claim(self, job: dict[str, Any], after: int, size: int,
              now: datetime) -> tuple[list[Claimed], int]:
        """Claim up to ``size`` pending rows of a child after queue id ``after``.

        Pending rows are found without locks, then locked with ``FOR UPDATE SKIP LOCKED``
        (rows another worker is claiming are skipped), those another worker claimed since
        the read are dropped, and the rest are marked 'sending' in the same transaction,
        run again if the server picks it as a deadlock's victim. The primary key of
        ``civisms_queue_state`` is the last guard: a row can never be claimed twice.
        Returns the rows and the cursor to go on from (``after`` again when nothing is
        left).
        """
        rows, locked = self.db.retrying(lambda: self._claim(job, after, size, now))
        if not rows:
            return [], after
        claimed = [
            Claimed(r["id"], r["contact_id"], r["phone"],
                    bool(r["is_opt_out"]) and bool(r["do_not_sms"]))
            for r in rows if r["id"] in locked
        ]
        # None locked: all of this window is another worker's, look further on.
        return claimed, rows[-1]["id"]

    def _claim(self, job: dict[str, Any], after: int, size: int,
               now: datetime) -> tuple[list[dict[str, Any]], set[int]]:
        """One claim transaction: (the pending rows read, the ids now marked 'sending')."""
        with self.transaction():
            rows = self.db.rows(sql("candidates"), {
                "job_id": job["id"], "after": after, "size": size})
            if not rows:
                return [], set()
            locked = [r["id"] for r in self.db.rows(
                sql("claim_lock").format(ids=id_ranges("q.id", [r["id"] for r in rows])))]
            if locked:
                taken = {r["id"] for r in self.db.rows(
                    sql("already_claimed").format(ids=id_ranges("s.event_queue_id", locked)))}
                locked = [i for i in locked if i not in taken]
            if locked:
                self._insert_many("insert_claims", [
                    (i, job["mailing_id"], job["id"], "sending", self.worker, now)
                    for i in locked])
        return rows, set(locked)

    def release_claims(self, queue_ids: Sequence[int]) -> None:
        """Give back rows never handed to the gateway: they are pending again."""
        for start in range(0, len(queue_ids), CHUNK):
            part = list(queue_ids[start : start + CHUNK])
            self.db.execute(sql("release_claims").format(ids=placeholders(len(part))), part)

    def job_status(self, job_id: int) -> str | None:
        """A job's status now (a running delivery stops once it is not Running)."""
        rows = self.db.rows(sql("job_status"), {"id": job_id})
        return rows[0]["status"] if rows else None

    # -- writing ----------------------------------------------------------------------------

    def bounce_type(self, name: str) -> int | None:
        """A ``civicrm_mailing_bounce_type`` id by name (None when the site lacks it)."""
        if self._bounce_types is None:
            self._bounce_types = {
                str(r["name"]).lower(): r["id"] for r in self.db.rows(sql("bounce_types"))}
        return self._bounce_types.get(name.lower())

    def _insert_many(self, name: str, values: Sequence[tuple[Any, ...]], **fmt: str) -> int:
        first = 0
        for start in range(0, len(values), CHUNK):
            last = self.db.insert_rows(sql(name), values[start : start + CHUNK], **fmt)
            first = first or last
        return first

    def insert_many(self, name: str, values: Sequence[tuple[Any, ...]]) -> None:
        """A multi-row INSERT of a named block (``{rows}``), in chunks."""
        if values:
            self._insert_many(name, values)

    def settle_states(self, job: dict[str, Any], outcomes: Sequence[Settle],
                      now: datetime) -> None:
        """Write the final state of each row (inside the caller's transaction)."""
        released = [o.queue_id for o in outcomes if o.state == "release"]
        if released:
            self.release_claims(released)
        rows = [
            (o.queue_id, job["mailing_id"], job["id"], o.state, self.worker, now,
             o.message_id, (o.error or "")[:512] or None)
            for o in outcomes if o.state != "release"
        ]
        self.insert_many("settle_states", rows)

    # -- runJobs_post and pausing -----------------------------------------------------------

    def open_counts(self, job_id: int) -> tuple[int, int]:
        """(pending, sending) rows of a child."""
        row = self.db.rows(sql("pending_or_sending"), {"job_id": job_id})[0]
        return int(row["pending"]), int(row["sending"])

    def complete_job(self, job_id: int, now: datetime) -> None:
        """A child (or parent) is Complete."""
        self.db.execute(sql("complete_job"), {"id": job_id, "now": now})

    def complete_parents(self, now: datetime) -> list[int]:
        """``runJobs_post``: complete parents with no open child, and their mailings."""
        done: list[int] = []
        extra = ""
        if "status" in self.columns("civicrm_mailing"):  # since 5.76
            extra = ", status = 'Complete', end_date = %(now)s"
        for parent in self.db.rows(sql("running_parents"),
                                   {"domain_id": self.domain_id, "now": now}):
            if self.db.rows(sql("open_children"), {"id": parent["id"]})[0]["n"]:
                continue
            with self.transaction():
                self.complete_job(parent["id"], now)
                self.db.execute(sql("complete_mailing").format(extra=extra),
                                {"id": parent["mailing_id"], "now": now})
            done.append(parent["mailing_id"])
        return done

    def segment_override(self, mailing_id: int) -> int | None:
        """Segments per message a user allowed this mailing (``resume --max-segments``)."""
        rows = self.db.rows(sql("segment_override"), {"id": mailing_id})
        return int(rows[0]["max_segments"]) if rows else None

    def pause_mailing(self, mailing_id: int, reason: str, now: datetime) -> None:
        """Pause every job of the mailing and the mailing, as CiviCRM's Pause; say why."""
        with self.transaction():
            self.db.execute(sql("pause_jobs"), {"id": mailing_id})
            if "status" in self.columns("civicrm_mailing"):
                self.db.execute(sql("pause_mailing"), {"id": mailing_id})
            self.db.execute(sql("record_pause"), {
                "id": mailing_id, "reason": reason[:1024], "now": now, "worker": self.worker})

    # -- unknown outcomes -------------------------------------------------------------------

    def unknown_by_job(self, mailing_id: int | None = None) -> list[dict[str, Any]]:
        """Child jobs with rows whose outcome is unknown, and how many."""
        return self.db.rows(sql("unknown_by_job"), {"mailing_id": mailing_id})

    def settle_unknown(self, job_id: int, how: str) -> int:
        """``resend``: make them pending again; ``failed``: close them as failed."""
        name = "forget_unknown" if how == "resend" else "fail_unknown"
        return self.db.rowcount(sql(name), {"job_id": job_id})
