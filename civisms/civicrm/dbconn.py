"""A thin MySQLdb connection for the db backend: parameterized SQL, translated errors.

Every ``MySQLdb`` exception is turned into a civisms error here, once, with the server
named and the password never shown.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

import MySQLdb
import MySQLdb.cursors
from MySQLdb.constants import CLIENT

from civisms.dbparams import DbParams
from civisms.errors import (
    CiviCRMAPIError,
    CiviCRMAuthError,
    CiviCRMConflict,
    CiviCRMError,
    CiviCRMNotFound,
    CiviCRMPermissionDenied,
    CiviCRMUnreachable,
    CiviCRMValueRefused,
)
from civisms.redact import scrub, secret_forms

T = TypeVar("T")

# MariaDB/MySQL client and server error codes, by what they mean to a civisms user.
_UNREACHABLE = {2002, 2003, 2005, 2006, 2013, 2055}
_ACCESS_DENIED = {1044, 1045, 1698}
_UNKNOWN_DATABASE = 1049
_NO_SUCH_TABLE = 1146
#: Data too long, out of range, a character the column's charset cannot hold.
_VALUE_REFUSED = {1406, 1264, 1366}
_COLUMN = re.compile(r"column '([^']+)'")
_PRIVILEGE_DENIED = {1142, 1143, 1227}  # table, column, global privilege
_DEADLOCK = 1213  # the server rolled the whole transaction back


def where(params: DbParams) -> str:
    """How to name the server in an error: socket or host:port, and the database."""
    server = params.unix_socket or f"{params.host}:{params.port}"
    return f"{server}/{params.database}" if params.database else server


def translate(exc: MySQLdb.Error, params: DbParams) -> CiviCRMError:
    """The civisms error for a MySQLdb error."""
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    detail = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
    # Servers never echo the password; belt and braces, without garbling a user name.
    detail = scrub(detail, secret_forms([params.password]))
    if code in _UNREACHABLE:
        return CiviCRMUnreachable(
            f"cannot reach the CiviCRM database at {where(params)} ({detail}); "
            "check CIVISMS_DB_URL and that the server is running"
        )
    if code in _ACCESS_DENIED:
        return CiviCRMAuthError(
            f"the database refused user {params.user!r} at {where(params)}; "
            "check the user and password in CIVISMS_DB_URL"
        )
    if code in _PRIVILEGE_DENIED:
        return CiviCRMPermissionDenied(
            f"the database user {params.user!r} lacks a privilege civisms needs ({detail}); "
            "`civisms check` lists every missing one"
        )
    if code == _UNKNOWN_DATABASE:
        return CiviCRMNotFound(
            f"database {params.database!r} does not exist on {where(params)}; "
            "check the database name in CIVISMS_DB_URL"
        )
    if code in _VALUE_REFUSED:
        match = _COLUMN.search(detail)
        column = f"column {match.group(1)!r}" if match else "a column"
        return CiviCRMValueRefused(
            f"CiviCRM's database refused a value for {column} ({detail}); shorten or "
            "correct what was given for it (a name, a title, a text)")
    if code == _DEADLOCK:
        return CiviCRMConflict(f"database error {code}: {detail}")
    if code == _NO_SUCH_TABLE:
        return CiviCRMNotFound(
            f"{detail} — is {params.database!r} a CiviCRM database? "
            "CIVISMS_DB_URL must name the database CiviCRM itself uses"
        )
    return CiviCRMAPIError(f"database error {code}: {detail}")


def connect(params: DbParams, *, database: bool = True, multi: bool = False) -> Any:
    """Open a MySQLdb connection (utf8mb4, autocommit) or raise a civisms error."""
    kwargs: dict[str, Any] = {
        "user": params.user,
        "passwd": params.password,
        "charset": "utf8mb4",
        "use_unicode": True,
        "autocommit": True,
        "connect_timeout": 10,
    }
    if params.unix_socket:
        kwargs["unix_socket"] = params.unix_socket
    else:
        kwargs["host"] = params.host
        kwargs["port"] = params.port
    if database:
        kwargs["database"] = params.database
    if multi:
        kwargs["client_flag"] = CLIENT.MULTI_STATEMENTS | CLIENT.MULTI_RESULTS
    try:
        return MySQLdb.connect(**kwargs)
    except MySQLdb.Error as exc:
        raise translate(exc, params) from None


#: Characters the server's escaping would change (mysql_real_escape_string), in either
#: quoting mode: a string without any is its own literal between single quotes.
_ESCAPED = re.compile("[\x00\n\r\\\\'\"\x1a]")


def _values(conn: Any, rows: Sequence[Sequence[Any]]) -> str:
    """``(1, 'a', NULL), (...)``: SQL literals of ``rows``, escaped by ``conn``."""
    cache: dict[tuple[type, Any], str] = {}  # a batch repeats its timestamp, its texts' sources...

    def literal(value: Any) -> str:
        key = (type(value), value)  # True == 1 == Decimal(1): keep their literals apart
        found = cache.get(key)
        if found is None:
            if type(value) is str:
                found = ("'" + value + "'" if _ESCAPED.search(value) is None else
                         conn.string_literal(value.encode("utf-8")).decode("utf-8"))
            else:  # datetime, bool, Decimal, date, bytes...: MySQLdb's own conversions
                found = conn.literal(value).decode("utf-8")
            if len(cache) < 4096:
                cache[key] = found
        return found

    return ", ".join([
        "(" + ", ".join([str(v) if type(v) is int else "NULL" if v is None else literal(v)
                         for v in row]) + ")"
        for row in rows])


class Database:
    """One connection to a CiviCRM database; reconnects once when the server hung up."""

    def __init__(self, params: DbParams) -> None:
        self.params = params
        self._conn: Any = None
        self._depth = 0  # transactions open (nested ones join the outermost)

    @property
    def conn(self) -> Any:
        if self._conn is None:
            self._conn = connect(self.params)
        return self._conn

    def rows(self, sql: str, args: Sequence[Any] | dict[str, Any] | None = None) -> list[dict]:
        """Run a query and return its rows as dicts."""
        return self._fetch(MySQLdb.cursors.DictCursor, sql, args)

    def tuples(self, sql: str, args: Sequence[Any] | dict[str, Any] | None = None
               ) -> list[tuple[Any, ...]]:
        """Run a query and return its rows as plain tuples (cheaper for many rows)."""
        return self._fetch(MySQLdb.cursors.Cursor, sql, args)

    def _fetch(self, kind: Any, sql: str, args: Sequence[Any] | dict[str, Any] | None
               ) -> list[Any]:
        with self._cursor(kind) as cur:
            cur.execute(sql, args)
            return list(cur.fetchall())

    def execute(self, sql: str, args: Sequence[Any] | dict[str, Any] | None = None) -> int:
        """Run a statement; return the last insert id (or 0)."""
        with self._cursor() as cur:
            cur.execute(sql, args)
            return int(cur.lastrowid or 0)

    def insert_rows(self, template: str, rows: Sequence[Sequence[Any]], **fmt: str) -> int:
        """Run a multi-row INSERT: ``template``'s ``{rows}`` becomes the quoted ``rows``
        (other ``{names}`` from ``fmt``); return the first inserted id (or 0).

        The hot path of mass sending writes several such statements per batch: quoting
        here costs about a fifth of ``MySQLdb``'s per-value ``literal`` (ints and strings
        go straight to text, a batch's one timestamp is formatted once), with the same
        escaping (the connection's own ``string_literal``).
        """
        conn = self.conn
        text = template.format(rows=_values(conn, rows), **fmt)
        with self._cursor() as cur:
            cur.execute(text.encode("utf-8"))  # no args: nothing more is substituted
            return int(cur.lastrowid or 0)

    def rowcount(self, sql: str, args: Sequence[Any] | dict[str, Any] | None = None) -> int:
        """Run a statement; return how many rows it changed."""
        with self._cursor() as cur:
            return int(cur.execute(sql, args))

    def begin(self) -> None:
        """Open a transaction by hand (``transaction()`` is the usual way)."""
        self._call("begin")

    def commit(self) -> None:
        self._call("commit")

    def rollback(self) -> None:
        """Roll back; a connection already lost has nothing left to roll back."""
        with suppress(CiviCRMError):
            self._call("rollback")

    def _call(self, method: str) -> None:
        try:
            getattr(self.conn, method)()
        except MySQLdb.Error as exc:
            raise translate(exc, self.params) from None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group statements: all are committed, or none. Inside another transaction it
        joins it (a nested BEGIN would commit the outer one early)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.begin()
        self._depth = 1
        try:
            yield
            self._depth = 0
            self.commit()
        except BaseException:
            self._depth = 0
            self.rollback()
            raise

    def retrying(self, run: Callable[[], T], attempts: int = 4) -> T:
        """``run()`` (one whole transaction), run again after a short random pause when
        the server picked it as a deadlock's victim: it rolled all of it back, so nothing
        of the first try remains. Inside another transaction there is no retrying: the
        server rolled back the outer one too."""
        for attempt in range(1, attempts + 1):
            try:
                return run()
            except CiviCRMConflict:
                if self._depth or attempt == attempts:
                    raise
                time.sleep(random.uniform(0.002, 0.02) * attempt)
        raise AssertionError("unreachable")

    @contextmanager
    def _cursor(self, kind: Any = MySQLdb.cursors.DictCursor) -> Iterator[Any]:
        try:
            cur = self.conn.cursor(kind)
        except MySQLdb.Error as exc:
            raise translate(exc, self.params) from None
        try:
            yield cur
        except MySQLdb.Error as exc:
            raise translate(exc, self.params) from None
        finally:
            cur.close()

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
