"""Which database privileges civisms needs on a CiviCRM database, and which are missing.

Each privilege is probed with a statement that the server checks and then does nothing
with (``WHERE 0``; ``CREATE TABLE ... LIKE`` a table that does not exist), so ``civisms
check`` changes nothing. Probing answers for whatever grants apply (global, database,
table, wildcard, roles) without parsing ``SHOW GRANTS``. The README's "Connect your own
CiviCRM" lists the same grants as SQL.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import MySQLdb

from civisms.sql import sql_path

#: Tables civisms reads: a sample of CiviCRM's (it reads many more; SELECT is granted on the
#: database as a whole, so these stand for the rest).
READ = ("civicrm_contact", "civicrm_phone", "civicrm_group", "civicrm_group_contact",
        "civicrm_option_value", "civicrm_sms_provider", "civicrm_setting", "civicrm_domain")

#: CiviCRM tables civisms writes, and how (from the statements in sql/ and civisms/civicrm/).
WRITE: dict[str, tuple[str, ...]] = {
    "civicrm_activity": ("INSERT", "UPDATE", "INDEX"),  # INDEX: receipts find by result
    "civicrm_activity_contact": ("INSERT", "UPDATE"),  # UPDATE: ON DUPLICATE KEY
    "civicrm_log": ("INSERT",),
    "civicrm_contact": ("INSERT", "UPDATE"),  # inbound: unknown texters, STOP / START
    "civicrm_phone": ("INSERT",),
    "civicrm_msg_template": ("INSERT", "UPDATE"),
    "civicrm_mailing": ("INSERT", "UPDATE"),
    "civicrm_mailing_group": ("INSERT", "DELETE"),
    "civicrm_mailing_recipients": ("INSERT", "DELETE"),
    "civicrm_mailing_job": ("INSERT", "UPDATE"),
    "civicrm_mailing_event_queue": ("INSERT", "UPDATE"),  # UPDATE: claimed FOR UPDATE
    "civicrm_mailing_event_delivered": ("INSERT",),
    "civicrm_mailing_event_bounce": ("INSERT",),
}

#: What civisms does with its own tables (each created on first use).
OWN_PRIVILEGES = ("CREATE", "INDEX", "SELECT", "INSERT", "UPDATE", "DELETE")


def own_tables() -> tuple[str, ...]:
    """civisms' own tables: every ``CREATE TABLE IF NOT EXISTS civisms_...`` in sql/."""
    found: set[str] = set()
    for path in Path(sql_path("queries.sql")).parent.glob("*.sql"):
        found.update(_OWN_TABLE.findall(path.read_text(encoding="utf-8")))
    return tuple(sorted(found))


_OWN_TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS (civisms_\w+)")
OWN: dict[str, tuple[str, ...]] = dict.fromkeys(own_tables(), OWN_PRIVILEGES)

_DENIED = {1142, 1143, 1044, 1227}
_NO_SUCH_TABLE = 1146
_TABLE_EXISTS = 1050
_NO_SUCH_INDEX = 1091
_PROBE_MISSING = "civisms_no_such_table_for_probe"


def _probe(conn: Any, sql: str) -> bool | None:
    """True: allowed; False: denied; None: the table is not on this site."""
    cur = conn.cursor()
    try:
        cur.execute(sql)
        cur.fetchall()
    except MySQLdb.Error as exc:
        code = exc.args[0] if exc.args else None
        if code in _DENIED:
            return False
        if code == _NO_SUCH_TABLE and _PROBE_MISSING not in str(exc):
            return None
        if code in (_NO_SUCH_TABLE, _TABLE_EXISTS, _NO_SUCH_INDEX):  # after the privilege
            return True
        raise
    finally:
        cur.close()
    return True


def _statement(privilege: str, table: str, column: str) -> str:
    if privilege == "SELECT":
        return f"SELECT 1 FROM `{table}` WHERE 0"
    if privilege == "INSERT":
        return f"INSERT INTO `{table}` SELECT * FROM `{table}` WHERE 0"
    if privilege == "UPDATE":
        return f"UPDATE `{table}` SET `{column}` = `{column}` WHERE 0"
    if privilege == "DELETE":
        return f"DELETE FROM `{table}` WHERE 0"
    if privilege == "CREATE":
        return f"CREATE TABLE `{table}` LIKE `{_PROBE_MISSING}`"
    if privilege == "INDEX":
        return f"DROP INDEX `{_PROBE_MISSING}` ON `{table}`"
    raise ValueError(privilege)


def _first_columns(conn: Any, tables: set[str]) -> dict[str, str]:
    """The first column of each of ``tables`` the database has."""
    cur = conn.cursor()
    try:
        marks = ", ".join(["%s"] * len(tables))
        cur.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            f"WHERE table_schema = DATABASE() AND table_name IN ({marks}) "
            "ORDER BY table_name, ordinal_position", sorted(tables))
        found: dict[str, str] = {}
        for table, column in cur.fetchall():
            found.setdefault(str(table), str(column))
        return found
    finally:
        cur.close()


def missing_privileges(conn: Any) -> list[str]:
    """``PRIVILEGE, PRIVILEGE on table`` for each table where civisms lacks a privilege.

    ``conn`` is a MySQLdb connection to the CiviCRM database (autocommit: every probe
    leaves nothing behind). Tables the site does not have are not asked about.
    """
    missing: dict[str, list[str]] = {}
    wanted = [("SELECT", t) for t in READ]
    wanted += [(p, t) for t, privileges in WRITE.items() for p in privileges]
    wanted += [(p, t) for t, privileges in OWN.items() for p in privileges]
    columns = _first_columns(conn, {t for _, t in wanted})
    for privilege, table in wanted:
        if table not in columns and privilege != "CREATE":
            continue  # not on this site (yet): nothing to ask
        if _probe(conn, _statement(privilege, table, columns.get(table, ""))) is False:
            missing.setdefault(table, []).append(privilege)
    if _probe(conn, "CREATE TEMPORARY TABLE civisms_probe_tmp (x INT)") is False:
        missing.setdefault("the database", []).append("CREATE TEMPORARY TABLES")
    else:
        _probe(conn, "DROP TEMPORARY TABLE IF EXISTS civisms_probe_tmp")
    return [f"{', '.join(privileges)} on {table}" for table, privileges in missing.items()]
