"""Loading CiviCRM SQL into MariaDB: the schema subset, the reference dumps, the sample site.

Used by ``civisms demo`` and by the tests. Everything goes through mysqlclient; no
``mysql`` command-line client is needed.

``load_sql_file`` understands what ``mariadb-dump`` writes: ``DELIMITER ;;`` blocks
around triggers and stored functions, ``/*!40101 ... */`` conditional comments (run by
the server itself), ``-- `` and ``#`` comments, multi-line statements and quoted
strings containing ``;``. Plain statements are sent in large multi-statement batches
(``CLIENT.MULTI_STATEMENTS``), inside one transaction with foreign key and unique
checks off, so the 700 KB reference dump loads in a couple of seconds.

Every MySQLdb error leaves this module as a :class:`~civisms.errors.CiviCRMError`
subclass whose message is one line and never contains the password.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import MySQLdb

from civisms.civicrm import dbconn
from civisms.config import DbParams
from civisms.errors import (
    CiviCRMAuthError,
    CiviCRMError,
    CiviCRMNotFound,
    CiviCRMUnreachable,
)
from civisms.redact import scrub, secret_forms
from civisms.sql import sql_path

#: The CiviCRM versions whose full schema dumps can be loaded from the shared folder.
REFERENCE_VERSIONS = ("6.17.2", "5.81.1", "5.69.5")

SchemaName = Literal["subset", "6.17.2", "5.81.1", "5.69.5"]

#: Repository root (``civisms/civicrm/install.py`` → two levels up from the package).
REPO_ROOT = Path(__file__).resolve().parents[2]
#: The subset schema, its seed and the sample site: package data (``sql/site/``), so that an
#: installed civisms (not only a source checkout) can build the demo site.
SITE_DIR = sql_path("site")
SCHEMA_FILE = SITE_DIR / "civicrm-schema.sql"
SEED_FILE = SITE_DIR / "civicrm-seed.sql"
SAMPLE_FILE = SITE_DIR / "sample-site.sql"

#: Batches of plain statements are flushed once they reach this many bytes.
_BATCH_BYTES = 1 << 20  # well below the server's default max_allowed_packet (16 MB)

_UNREACHABLE_CODES = {2002, 2003, 2005, 2006, 2013, 2055}
_AUTH_CODES = {1044, 1045, 1698, 1142, 1227}
_NOT_FOUND_CODES = {1049}
_NAME_RE = re.compile(r"^[A-Za-z0-9_]{1,64}$")


# -- errors ------------------------------------------------------------------------------


def _where(params: DbParams) -> str:
    if params.unix_socket:
        return f"MariaDB at {params.unix_socket}"
    return f"MariaDB at {params.host}:{params.port}"


def translate_error(exc: BaseException, params: DbParams, doing: str) -> CiviCRMError:
    """One clear ``CiviCRMError`` line for a MySQLdb exception (password never shown)."""
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    raw = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
    message = " ".join(raw.split())
    # Servers never echo it; belt and braces, without garbling a user name.
    message = scrub(message, secret_forms([params.password]))
    text = f"{_where(params)}: {doing}: {message}" + (f" (error {code})" if code else "")
    if code in _UNREACHABLE_CODES:
        return CiviCRMUnreachable(text)
    if code in _AUTH_CODES:
        return CiviCRMAuthError(text)
    if code in _NOT_FOUND_CODES:
        return CiviCRMNotFound(text)
    return CiviCRMError(text)


# -- connections -------------------------------------------------------------------------


def connect(
    params: DbParams, database: str | None = None, *, multi_statements: bool = False
) -> Any:
    """A mysqlclient connection (utf8mb4, autocommit on) or a translated error.

    ``database`` overrides ``params.database``; pass ``""`` to connect to no database.
    """
    db = params.database if database is None else database
    return dbconn.connect(replace(params, database=db), database=bool(db), multi=multi_statements)


@contextmanager
def connection(
    params: DbParams, database: str | None = None, *, multi_statements: bool = False
) -> Iterator[Any]:
    """``connect`` as a context manager that always closes the connection."""
    conn = connect(params, database, multi_statements=multi_statements)
    try:
        yield conn
    finally:
        conn.close()


def _check_name(name: str) -> str:
    if not _NAME_RE.match(name):
        raise CiviCRMError(f"invalid database name {name!r}: use letters, digits and _ only")
    return name


def create_database(params: DbParams, name: str) -> None:
    """``CREATE DATABASE name`` in utf8mb4 / utf8mb4_unicode_ci (error if it exists)."""
    _check_name(name)
    with connection(params, "") as conn:
        try:
            conn.cursor().execute(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        except MySQLdb.Error as exc:
            raise translate_error(exc, params, f"creating database {name!r}") from None


def drop_database(params: DbParams, name: str) -> None:
    """``DROP DATABASE IF EXISTS name``."""
    _check_name(name)
    with connection(params, "") as conn:
        try:
            conn.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        except MySQLdb.Error as exc:
            raise translate_error(exc, params, f"dropping database {name!r}") from None


def database_exists(params: DbParams, name: str) -> bool:
    """Whether the server has a database called ``name``."""
    with connection(params, "") as conn:
        try:
            cur = conn.cursor()
            cur.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (name,))
            return cur.fetchone() is not None
        except MySQLdb.Error as exc:
            raise translate_error(exc, params, "listing databases") from None


# -- splitting dump files ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statement:
    """One SQL statement of a file, without its delimiter."""

    sql: str
    line: int  # 1-based line where the statement starts
    compound: bool  # read under a DELIMITER other than ';' (trigger, function ...)


_DELIMITER_RE = re.compile(r"DELIMITER[ \t]+(\S+)[ \t]*(?:\r?\n|$)", re.IGNORECASE)


def split_sql(text: str) -> Iterator[Statement]:
    """Split SQL text into statements, as the ``mariadb`` client does.

    Honours ``DELIMITER`` lines, quotes (``'``, ``"``, backticks, with backslash escapes),
    ``-- ``/``#`` line comments and ``/* */`` comments. Plain comments are dropped;
    executable ``/*! ... */`` comments are kept (the server runs them); MariaDB's
    ``/*M!999999 ... */`` sandbox marker is dropped. Empty statements are skipped.
    """
    delimiter = ";"
    n = len(text)
    i = 0
    line = 1
    parts: list[str] = []
    start_line = 1
    seg_start = 0  # start of the pending verbatim segment

    def flush_segment(end: int) -> None:
        if end > seg_start:
            parts.append(text[seg_start:end])

    started = False  # a significant character of the current statement was seen
    while i < n:
        c = text[i]
        if not started:
            if c.isspace():
                if c == "\n":
                    line += 1
                i += 1
                seg_start = i
                start_line = line
                continue
            if c in "Dd":
                m = _DELIMITER_RE.match(text, i)
                if m:
                    delimiter = m.group(1)
                    line += m.group(0).count("\n")
                    i = m.end()
                    seg_start = i
                    start_line = line
                    continue
        if c == "\n":
            line += 1
            i += 1
            continue
        if c in "'\"`":
            started = True
            j = i + 1
            while j < n:
                d = text[j]
                if d == "\\" and c != "`":
                    j += 2
                    continue
                if d == c:
                    if j + 1 < n and text[j + 1] == c:  # doubled quote
                        j += 2
                        continue
                    break
                j += 1
            line += text.count("\n", i, j + 1)
            i = j + 1
            continue
        if c == "#" or (
            c == "-" and text.startswith("--", i) and (i + 2 >= n or text[i + 2] in " \t\r\n")
        ):
            flush_segment(i)
            j = text.find("\n", i)
            i = n if j < 0 else j
            seg_start = i
            continue
        if c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            body = text[i:j]
            if body.startswith("/*!"):
                started = True
            else:
                flush_segment(i)
                seg_start = j
            line += body.count("\n")
            i = j
            continue
        if text.startswith(delimiter, i):
            flush_segment(i)
            sql = "".join(parts).strip()
            if sql:
                yield Statement(sql, start_line, delimiter != ";")
            parts.clear()
            started = False
            i += len(delimiter)
            seg_start = i
            start_line = line
            continue
        started = True
        i += 1
    flush_segment(n)
    sql = "".join(parts).strip()
    if sql:
        yield Statement(sql, start_line, delimiter != ";")


# -- loading -----------------------------------------------------------------------------


def _consume(cur: Any) -> None:
    """Read every pending result of a multi-statement query (raises on the failing one)."""
    while True:
        if cur.description is not None:
            cur.fetchall()
        if not cur.nextset():
            break


def load_sql(params: DbParams, database: str, text: str, *, source: str = "<sql>") -> int:
    """Execute SQL text in ``database``; return the number of statements run.

    Plain statements go in multi-statement batches inside one transaction with
    ``FOREIGN_KEY_CHECKS``/``UNIQUE_CHECKS`` off; compound statements (triggers,
    functions) are sent on their own. The first failing statement aborts the load with
    a ``CiviCRMError`` naming ``source`` and its line.
    """
    statements = list(split_sql(text))
    conn = connect(params, database, multi_statements=True)
    try:
        cur = conn.cursor()
        try:
            cur.execute(
                "SET SESSION foreign_key_checks = 0, unique_checks = 0, sql_notes = 0, "
                "autocommit = 0"
            )
        except MySQLdb.Error as exc:
            raise translate_error(exc, params, f"preparing to load {source}") from None
        batch: list[Statement] = []
        size = 0

        def run(group: list[Statement]) -> None:
            if not group:
                return
            done = 0
            try:
                cur.execute(";\n".join(s.sql for s in group))
                while True:
                    if cur.description is not None:
                        cur.fetchall()
                    done += 1
                    if not cur.nextset():
                        break
            except MySQLdb.Error as exc:
                failed = group[min(done, len(group) - 1)]
                raise translate_error(
                    exc, params, f"loading {source} (statement at line {failed.line})"
                ) from None

        for stmt in statements:
            if stmt.compound:
                run(batch)
                batch, size = [], 0
                run([stmt])
                continue
            batch.append(stmt)
            size += len(stmt.sql)
            if size >= _BATCH_BYTES:
                run(batch)
                batch, size = [], 0
        run(batch)
        try:
            cur.execute("COMMIT")
        except MySQLdb.Error as exc:
            raise translate_error(exc, params, f"committing {source}") from None
        return len(statements)
    finally:
        conn.close()


def load_sql_file(params: DbParams, database: str, path: Path) -> int:
    """Execute a SQL dump file in ``database`` statement by statement; see ``load_sql``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CiviCRMNotFound(f"cannot read SQL file {path}: {exc.strerror or exc}") from None
    return load_sql(params, database, text, source=Path(path).name)


# -- sites -------------------------------------------------------------------------------


def local_server() -> DbParams:
    """The MariaDB server the tests, benchmarks and demo use: ``CIVISMS_TEST_DB_HOST`` /
    ``_PORT`` / ``_USER`` / ``_PASSWORD``, by default root on 127.0.0.1:3306."""
    return DbParams(
        host=os.environ.get("CIVISMS_TEST_DB_HOST", "127.0.0.1"),
        port=int(os.environ.get("CIVISMS_TEST_DB_PORT", "3306")),
        user=os.environ.get("CIVISMS_TEST_DB_USER", "root"),
        password=os.environ.get("CIVISMS_TEST_DB_PASSWORD", ""),
        database="",
    )


def shared_dir() -> Path:
    """The shared CiviCRM reference folder (``$CIVISMS_SHARED`` or ``../shared/civicrm``)."""
    override = os.environ.get("CIVISMS_SHARED")
    if override:
        base = Path(override)
        return base / "civicrm" if (base / "civicrm").is_dir() else base
    return REPO_ROOT.parent / "shared" / "civicrm"


def reference_schema_path(version: str) -> Path | None:
    """``schema-<version>.sql`` in the shared folder, or ``None`` when it is not there."""
    path = shared_dir() / f"schema-{version}.sql"
    return path if path.is_file() else None


def schema_files(schema: str = "subset") -> list[Path]:
    """The files that make an empty database a CiviCRM site of the given schema."""
    if schema == "subset":
        return [SCHEMA_FILE, SEED_FILE]
    if schema not in REFERENCE_VERSIONS:
        raise CiviCRMError(
            f"unknown schema {schema!r}: expected subset or one of {', '.join(REFERENCE_VERSIONS)}"
        )
    path = reference_schema_path(schema)
    if path is None:
        raise CiviCRMNotFound(
            f"reference schema {schema} not found: expected {shared_dir() / f'schema-{schema}.sql'}"
            " (set CIVISMS_SHARED to the folder holding it)"
        )
    return [path]


def install_site(
    params: DbParams,
    name: str,
    *,
    schema: str = "subset",
    sample: bool = True,
    replace: bool = False,
) -> None:
    """Create database ``name`` and load a CiviCRM schema into it, plus the sample site.

    ``schema`` is ``"subset"`` (the tables civisms touches, from ``site/`` beside this
    module) or a reference version (``"6.17.2"``, ``"5.81.1"``, ``"5.69.5"``) read from the
    shared folder.
    ``replace`` drops an existing database of that name first; without it an existing
    database is an error. A failed load drops the half-made database.
    """
    files = schema_files(schema)
    if sample:
        files.append(SAMPLE_FILE)
    if replace:
        drop_database(params, name)
    create_database(params, name)
    try:
        for path in files:
            load_sql_file(params, name, path)
    except BaseException:
        with suppress(CiviCRMError):
            drop_database(params, name)
        raise


# -- cloning (fast copies of an installed site, for tests) -------------------------------

_DEFINER_RE = re.compile(r"\s+DEFINER\s*=\s*(`[^`]*`|'[^']*'|\S+)@(`[^`]*`|'[^']*'|\S+)", re.I)


@dataclass(frozen=True, slots=True)
class Routine:
    """A trigger or stored function with the session settings it was created under."""

    sql: str
    sql_mode: str
    character_set_client: str
    collation_connection: str


@dataclass(frozen=True, slots=True)
class Structure:
    """Everything needed to rebuild a database: tables, routines, which tables hold rows."""

    tables: tuple[str, ...]
    create_tables: tuple[str, ...]
    routines: tuple[Routine, ...]  # functions first, then triggers in action order
    filled: dict[str, str]  # table → column list to copy (tables that hold rows)


def read_structure(params: DbParams, name: str) -> Structure:
    """Read the tables, functions, triggers and filled tables of database ``name``."""
    with connection(params, name) as conn:
        cur = conn.cursor()
        try:
            cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                "AND table_type = 'BASE TABLE' ORDER BY table_name",
                (name,),
            )
            tables = tuple(r[0] for r in cur.fetchall())
            creates = []
            filled: dict[str, str] = {}
            for table in tables:
                cur.execute(f"SHOW CREATE TABLE `{table}`")
                creates.append(cur.fetchone()[1])
                cur.execute(f"SELECT 1 FROM `{table}` LIMIT 1")
                if cur.fetchone():
                    cur.execute(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s"
                        " AND table_name = %s AND extra NOT LIKE '%%GENERATED%%'"
                        " ORDER BY ordinal_position",
                        (name, table),
                    )
                    filled[table] = ", ".join(f"`{r[0]}`" for r in cur.fetchall())
            routines: list[Routine] = []
            cur.execute(
                "SELECT routine_name, routine_type FROM information_schema.routines "
                "WHERE routine_schema = %s ORDER BY routine_type, routine_name",
                (name,),
            )
            for routine, kind in cur.fetchall():
                cur.execute(f"SHOW CREATE {kind} `{routine}`")
                row = cur.fetchone()
                routines.append(Routine(_DEFINER_RE.sub("", row[2], 1), row[1], row[3], row[4]))
            cur.execute(
                "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = %s "
                "ORDER BY event_object_table, action_timing, event_manipulation, action_order",
                (name,),
            )
            for (trigger,) in cur.fetchall():
                cur.execute(f"SHOW CREATE TRIGGER `{trigger}`")
                row = cur.fetchone()
                routines.append(Routine(_DEFINER_RE.sub("", row[2], 1), row[1], row[3], row[4]))
        except MySQLdb.Error as exc:
            raise translate_error(exc, params, f"reading the structure of {name!r}") from None
    return Structure(tables, tuple(creates), tuple(routines), filled)


def clone_database(
    params: DbParams, source: str, target: str, *, structure: Structure | None = None
) -> Structure:
    """Create ``target`` as a copy of ``source`` (tables with their FKs, triggers,
    functions and rows); about twice as fast as loading the SQL again. Pass the
    ``structure`` returned by an earlier call to skip re-reading ``source``.
    """
    structure = structure or read_structure(params, source)
    create_database(params, target)
    try:
        with connection(params, target, multi_statements=True) as conn:
            cur = conn.cursor()
            try:
                cur.execute("SET SESSION foreign_key_checks = 0, unique_checks = 0, sql_notes = 0")
                if structure.create_tables:
                    cur.execute(";\n".join(structure.create_tables))
                    _consume(cur)
                for routine in structure.routines:
                    cur.execute(
                        "SET SESSION sql_mode = %s, character_set_client = %s, "
                        "collation_connection = %s",
                        (routine.sql_mode, routine.character_set_client,
                         routine.collation_connection),
                    )
                    cur.execute(routine.sql)
                cur.execute("SET NAMES utf8mb4")
                if structure.filled:
                    cur.execute(
                        ";\n".join(
                            f"INSERT INTO `{t}` ({cols}) SELECT {cols} FROM `{source}`.`{t}`"
                            for t, cols in structure.filled.items()
                        )
                    )
                    _consume(cur)
            except MySQLdb.Error as exc:
                raise translate_error(exc, params, f"copying {source!r} to {target!r}") from None
    except BaseException:
        with suppress(CiviCRMError):
            drop_database(params, target)
        raise
    return structure
