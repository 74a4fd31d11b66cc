"""The demo's own database: built only where nothing of anyone else's can be lost.

``civisms demo`` rebuilds its database on every run. It only ever drops a database that
it made itself, recognised by the marker table :data:`MARKER_TABLE` it creates there; a
database holding anything else (a CiviCRM site, an unrelated table) is refused, and the
server's system schemas are refused always.
"""

from __future__ import annotations

import MySQLdb

from civisms.civicrm import install
from civisms.config import DbParams
from civisms.errors import InputError

#: The table ``civisms demo`` creates in the database it builds (and only there).
MARKER_TABLE = "civisms_demo_marker"

#: Schemas of the server itself: never dropped, whatever they hold.
SYSTEM_SCHEMAS = frozenset({"information_schema", "performance_schema", "mysql", "sys"})


def _tables(params: DbParams, name: str) -> set[str]:
    """The tables and views of database ``name`` (lower case)."""
    with install.connection(params, "") as conn:
        try:
            cur = conn.cursor()
            cur.execute(
                "SELECT LOWER(table_name) FROM information_schema.tables "
                "WHERE table_schema = %s", (name,))
            tables = {str(row[0]) for row in cur.fetchall()}
            cur.execute(
                "SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = %s",
                (name,))
            routines = int(cur.fetchone()[0])
        except MySQLdb.Error as exc:
            raise install.translate_error(exc, params, f"reading database {name!r}") from None
    if routines and not tables:
        tables.add("(stored routines)")
    return tables


def build(params: DbParams, name: str) -> None:
    """Build the sample site in ``name``: a new database, or one the demo made before.

    Raises :class:`InputError` (nothing dropped) for a system schema, or for an existing
    database that holds anything and has no demo marker table.
    """
    if name.lower() in SYSTEM_SCHEMAS:
        raise InputError(
            f"--db-url names the server's system schema {name!r}: the demo never touches "
            "it; name a new database such as civisms_demo")
    exists = install.database_exists(params, name)
    if exists:
        tables = _tables(params, name)
        if tables and MARKER_TABLE not in tables:
            raise InputError(
                f"database {name!r} exists and civisms demo did not make it (it holds "
                f"{len(tables)} table(s) and no {MARKER_TABLE} table): the demo only "
                "replaces its own database; name a new database such as civisms_demo")
    install.install_site(params, name, schema="subset", sample=True, replace=exists)
    with install.connection(params, name) as conn:
        try:
            conn.cursor().execute(
                f"CREATE TABLE `{MARKER_TABLE}` (created_at DATETIME NOT NULL) "
                "COMMENT 'made by civisms demo: the demo may drop and rebuild this database'")
            conn.cursor().execute(f"INSERT INTO `{MARKER_TABLE}` VALUES (NOW())")
            conn.commit()
        except MySQLdb.Error as exc:
            raise install.translate_error(exc, params, "marking the demo database") from None
