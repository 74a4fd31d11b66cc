"""The journal of one-off messages: every message of a ``send`` or submitted on its own.

Each message is a ``civisms_outbox`` row that goes ``pending → sending → sent | failed |
unknown``; ``sending`` is committed before the gateway is called, so a crash at any moment
leaves a message either settled or ``sending`` (then ``unknown``: never sent again unless
someone says so). A ``civisms send`` also has a ``civisms_send`` row: its name, text, and
the id of its ``SMS`` activity (docs/sending.md).

Where the journal lives: in the CiviCRM database with the db backend (claims use
``FOR UPDATE SKIP LOCKED``, locks are MySQL named locks, and a batch of outcomes commits
together with the CiviCRM records it writes); with the api4 backend, which cannot create
tables, in a local SQLite file (``Settings.journal``, by default beside the outbox).
"""

from __future__ import annotations

import fcntl
import os
import re
import socket
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from civisms.civicrm.queries import placeholders, query
from civisms.sql import sql_path

_SQL = sql_path("send_queries.sql")
#: Rows per multi-row INSERT.
CHUNK = 1000
STATES = ("pending", "sending", "sent", "failed", "unknown")


def sql(name: str) -> str:
    """A named block of ``send_queries.sql``."""
    return query(name, _SQL)


class Connection(Protocol):
    """What the journal needs of a database connection (``civicrm.dbconn.Database``)."""

    def rows(self, sql: str, args: Any = None) -> list[dict[str, Any]]: ...
    def execute(self, sql: str, args: Any = None) -> int: ...
    def rowcount(self, sql: str, args: Any = None) -> int: ...
    def transaction(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class Message:
    """A claimed journal row: everything needed to send it and to record it."""

    id: int
    send_id: int | None
    provider_id: int
    source_contact_id: int
    contact_id: int
    phone: str
    text: str
    segments: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """A message's final state (``release``: back to pending, never handed over)."""

    id: int
    state: str
    gateway_id: str | None = None
    error: str | None = None
    activity_id: int | None = None


class SqliteConnection:
    """The ``Connection`` interface over a local SQLite file (the api4 backend's journal)."""

    _PARAM = re.compile(r"%\((\w+)\)s")

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, timeout=30, isolation_level=None,
                                     check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._depth = 0
        self._locks: dict[str, int] = {}

    def _sql(self, text: str) -> str:
        return self._PARAM.sub(r":\1", text).replace("%s", "?")

    def rows(self, sql: str, args: Any = None) -> list[dict[str, Any]]:
        return [dict(r) for r in self._conn.execute(self._sql(sql), args or ())]

    def execute(self, sql: str, args: Any = None) -> int:
        return int(self._conn.execute(self._sql(sql), args or ()).lastrowid or 0)

    def rowcount(self, sql: str, args: Any = None) -> int:
        return int(self._conn.execute(self._sql(sql), args or ()).rowcount)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._conn.execute("ROLLBACK")
            raise
        self._depth = 0
        self._conn.execute("COMMIT")

    def acquire(self, name: str) -> bool:
        """An exclusive lock held by this process until ``release`` (or its death)."""
        fd = os.open(f"{self.path}.{name}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._locks[name] = fd
        return True

    def release(self, name: str) -> None:
        fd = self._locks.pop(name, None)
        if fd is not None:
            os.close(fd)

    def close(self) -> None:
        for name in list(self._locks):
            self.release(name)
        self._conn.close()


class Journal:
    """The journal's verbs on one connection (its locks live on it)."""

    def __init__(self, conn: Connection, *, sqlite: bool = False,
                 worker: str | None = None) -> None:
        self.conn = conn
        self.sqlite = sqlite
        self.worker = (worker or f"{socket.gethostname()}:{os.getpid()}")[:128]
        self._ready = False
        self.guard = threading.Lock()  # one statement at a time on the connection

    @classmethod
    def for_civicrm(cls, civicrm: Any, journal_path: Path) -> Journal:
        """The db backend's CiviCRM database, or a local SQLite file for the api4 backend."""
        db = getattr(civicrm, "db", None)
        if db is not None:
            return cls(db)
        return cls(SqliteConnection(journal_path), sqlite=True)

    def prepare(self) -> None:
        """Create the tables if missing."""
        if self._ready:
            return
        if self.sqlite:
            for name in ("create_send_sqlite", "create_outbox_sqlite", "index_outbox_sqlite"):
                self.conn.execute(sql(name))
        else:
            self.conn.execute(sql("create_send"))
            self.conn.execute(sql("create_outbox"))
        self._ready = True

    # -- locks ----------------------------------------------------------------------------

    def acquire(self, name: str) -> bool:
        """Take a named lock without waiting; False when another process holds it."""
        if isinstance(self.conn, SqliteConnection):
            return self.conn.acquire(name)
        got = self.conn.rows("SELECT GET_LOCK(%(name)s, 0) AS got", {"name": _lock(self, name)})
        return bool(got[0]["got"])

    def release(self, name: str) -> None:
        """Give a lock back."""
        if isinstance(self.conn, SqliteConnection):
            self.conn.release(name)
        else:
            self.conn.rows("SELECT RELEASE_LOCK(%(name)s)", {"name": _lock(self, name)})

    # -- writing --------------------------------------------------------------------------

    def open_send(self, *, name: str, body: str, provider_id: int, source_contact_id: int,
                  campaign_id: int | None,
                  messages: Sequence[tuple[int, str, str, int]]) -> int:
        """Journal a send and its messages ``(contact_id, phone, text, segments)``, pending."""
        self.prepare()
        now = _now()
        with self.conn.transaction():
            send_id = self.conn.execute(sql("insert_send"), {
                "name": name, "body": body, "provider_id": provider_id,
                "source_contact_id": source_contact_id, "campaign_id": campaign_id,
                "now": now})
            self._insert(send_id, provider_id, source_contact_id, messages, now)
        return send_id

    def add(self, *, provider_id: int, source_contact_id: int, contact_id: int, phone: str,
            text: str, segments: int) -> int:
        """Journal one message on its own (no send); its id."""
        self.prepare()
        with self.conn.transaction():
            return self._insert(None, provider_id, source_contact_id,
                                [(contact_id, phone, text, segments)], _now())

    def _insert(self, send_id: int | None, provider_id: int, source: int,
                messages: Sequence[tuple[int, str, str, int]], now: datetime) -> int:
        first = 0
        for start in range(0, len(messages), CHUNK):
            part = messages[start : start + CHUNK]
            values = [v for (cid, phone, text, segs) in part
                      for v in (send_id, provider_id, source, cid, phone, text, segs, now)]
            text = sql("insert_messages").format(rows=placeholders(len(part), 8))
            last = self.conn.execute(text, values)
            first = first or last
        return first

    def set_activity(self, send_id: int, activity_id: int) -> None:
        """Remember the send's ``SMS`` activity (written once, before the first message)."""
        self.conn.execute(sql("set_send_activity"), {"id": send_id, "activity_id": activity_id})

    def claim(self, send_id: int | None, provider_id: int | None,
              size: int) -> list[Message]:
        """Mark up to ``size`` pending messages 'sending' for this worker and return them."""
        where, args = _scope(send_id, provider_id)
        lock = "" if self.sqlite else "FOR UPDATE SKIP LOCKED"
        with self.conn.transaction():
            ids = [r["id"] for r in self.conn.rows(
                sql("candidates").format(send=where, lock=lock), {**args, "size": size})]
            if not ids:
                return []
            marks = ", ".join(str(int(i)) for i in ids)
            self.conn.rowcount(sql("mark_sending").format(ids=marks),
                               {"worker": self.worker, "now": _now()})
        rows = self.conn.rows(sql("claimed").format(ids=marks), {"worker": self.worker})
        return [Message(r["id"], r["send_id"], r["provider_id"], r["source_contact_id"],
                        r["contact_id"], r["phone"], r["body"], r["segments"]) for r in rows]

    def settle(self, outcomes: Sequence[Outcome]) -> None:
        """Write final states (inside the caller's transaction, with the records)."""
        released = [o.id for o in outcomes if o.state == "release"]
        if released:
            marks = ", ".join(str(int(i)) for i in released)
            self.conn.rowcount(sql("release").format(ids=marks))
        for o in outcomes:
            if o.state != "release":
                self.conn.rowcount(sql("settle"), {
                    "id": o.id, "state": o.state, "gateway_id": o.gateway_id,
                    "error": (o.error or "")[:512] or None, "activity_id": o.activity_id})

    def mark_stale(self, send_id: int | None, provider_id: int | None = None) -> int:
        """Messages left 'sending' by a dead run become 'unknown' (hold the send's lock)."""
        where, args = _scope(send_id, provider_id)
        return self.conn.rowcount(sql("stale").format(send=where), args)

    def resolve_unknown(self, send_id: int | None, how: str) -> int:
        """``resend``: pending again; ``failed``: closed as failed. How many."""
        where, args = _scope(send_id)
        name = "forget_unknown" if how == "resend" else "fail_unknown"
        return self.conn.rowcount(sql(name).format(send=where), args)

    # -- reading --------------------------------------------------------------------------

    def send(self, send_id: int) -> dict[str, Any] | None:
        """The ``civisms_send`` row."""
        self.prepare()
        rows = self.conn.rows(sql("send"), {"id": send_id})
        return rows[0] if rows else None

    def sends(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest sends with their counts per state."""
        self.prepare()
        rows = self.conn.rows(sql("sends"), {"limit": limit})
        return [{**r, **{s: int(r[s] or 0) for s in STATES}} for r in rows]

    def counts(self, send_id: int | None) -> dict[str, int]:
        """Messages per state."""
        self.prepare()
        name, args = ("counts", {"send_id": send_id}) if send_id else ("counts_alone", {})
        found = {r["state"]: int(r["n"]) for r in self.conn.rows(sql(name), args)}
        return {s: found.get(s, 0) for s in STATES}

    def messages(self, send_id: int | None) -> list[dict[str, Any]]:
        """Every message of a send, in order."""
        where, args = _scope(send_id)
        return self.conn.rows(sql("messages").format(send=where), args)

    def providers_with_pending(self) -> list[int]:
        """Providers with messages submitted alone and still pending."""
        self.prepare()
        return [int(r["provider_id"]) for r in self.conn.rows(sql("pending_providers"))]

    def message(self, message_id: int) -> dict[str, Any] | None:
        """One message's row."""
        self.prepare()
        rows = self.conn.rows(sql("message"), {"id": message_id})
        return rows[0] if rows else None


def _scope(send_id: int | None, provider_id: int | None = None) -> tuple[str, dict[str, Any]]:
    """The rows of a send, or those submitted alone (for one provider, when given)."""
    if send_id is not None:
        return "send_id = %(send_id)s", {"send_id": send_id}
    if provider_id is None:
        return "send_id IS NULL", {}
    return "send_id IS NULL AND provider_id = %(provider_id)s", {"provider_id": provider_id}


def _lock(journal: Journal, name: str) -> str:
    # MySQL named locks are server-wide: qualify with the database.
    db = getattr(getattr(journal.conn, "params", None), "database", "")
    return f"civisms.{db}.{name}"[:64]


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)
