"""A small CiviCRM API v4 emulator over a MariaDB CiviCRM database, for the behaviour suite.

It answers, through ``responses``, the API v4 calls the ``api4`` backend makes, by running
SQL on a test site (``tests/conftest.py``'s ``site``), in the recorded answer shape
(``values``/``entity``/``action``/``debug``/``version``/``count``/``countFetched``; ints,
booleans, dates as strings). It knows ``get`` (select, where with AND/OR/NOT, orderBy,
limit/offset, ``:name``/``:label`` pseudoconstants, Contact's ``groups`` filter and trash
default), ``create``, ``save`` and ``update`` for the entities below; anything else is an
HTTP 500 ``{"error_code": 0, "error_message": ...}`` like the real server's.

``groups IN [g]`` follows CiviCRM 6.x (``GroupContactCache::populateTemporaryTableWith
ContactsInGroups``): Added members of g and of its descendant groups, plus the cache of
the active smart groups among them; a cache refresh is emulated by leaving out contacts
Removed from the smart group (the emulator cannot run saved searches).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import MySQLdb
import MySQLdb.cursors
import pytest
import responses

from civisms.civicrm import install
from civisms.civicrm.api4 import Api4CiviCRM
from civisms.civicrm.api4_client import Api4Client

BASE_URL = "https://civicrm.test"
API_KEY = "emulator-api-key"
API_USER = 2  # the contact the API key belongs to
_ROUTE = re.compile(re.escape(BASE_URL) + r"/civicrm/ajax/api4/(\w+)/(\w+)$")
_OPS = {"=", "!=", "<>", "<", ">", "<=", ">=", "IN", "NOT IN", "IS NULL", "IS NOT NULL",
        "LIKE", "NOT LIKE"}


def _option(group: str, column: str, attr: str = "name") -> str:
    return (f"(SELECT v.{attr} FROM civicrm_option_value v JOIN civicrm_option_group g ON "
            f"g.id = v.option_group_id WHERE g.name = '{group}' AND v.value = t.{column} "
            "ORDER BY v.is_active DESC, v.id DESC LIMIT 1)")


@dataclass(frozen=True)
class Entity:
    """How one API v4 entity maps onto its table."""

    table: str
    options: dict[str, str] = field(default_factory=dict)  # column -> option group
    virtual: dict[str, str] = field(default_factory=dict)  # field -> SQL over alias t
    required: tuple[str, ...] = ()
    soft_delete: bool = False  # get hides is_deleted rows unless the where names it
    bookend: tuple[str, ...] = ()  # \x01-separated multi-values
    comma: tuple[str, ...] = ()


ENTITIES = {
    "Domain": Entity("civicrm_domain"),
    "OptionValue": Entity("civicrm_option_value", virtual={
        "option_group_id:name":
            "(SELECT g.name FROM civicrm_option_group g WHERE g.id = t.option_group_id)"}),
    "Contact": Entity("civicrm_contact", soft_delete=True),
    "Phone": Entity("civicrm_phone", options={"phone_type_id": "phone_type"}, virtual={
        "location_type_id:name":
            "(SELECT l.name FROM civicrm_location_type l WHERE l.id = t.location_type_id)"}),
    "Email": Entity("civicrm_email"),
    "Group": Entity("civicrm_group", bookend=("group_type",), comma=("parents", "children")),
    "MessageTemplate": Entity("civicrm_msg_template"),
    "SmsProvider": Entity("civicrm_sms_provider", options={"api_type": "sms_api_type"},
                          virtual={"domain_id.name": "(SELECT d.name FROM civicrm_domain d "
                                                     "WHERE d.id = t.domain_id)"}),
    "Campaign": Entity("civicrm_campaign", options={
        "campaign_type_id": "campaign_type", "status_id": "campaign_status"}),
    "Activity": Entity("civicrm_activity", options={
        "activity_type_id": "activity_type", "status_id": "activity_status",
        "priority_id": "priority"}, required=("activity_type_id",)),
    "ActivityContact": Entity("civicrm_activity_contact",
                              options={"record_type_id": "activity_contacts"},
                              required=("activity_id", "contact_id")),
    "GroupContact": Entity("civicrm_group_contact"),
    "Mailing": Entity("civicrm_mailing"),
    "MailingGroup": Entity("civicrm_mailing_group",
                           required=("mailing_id", "entity_table", "entity_id")),
    "Job": Entity("civicrm_job"),
    "CustomField": Entity("civicrm_custom_field", virtual={
        "custom_group_id.name":
            "(SELECT g.name FROM civicrm_custom_group g WHERE g.id = t.custom_group_id)"}),
    "MailingJob": Entity("civicrm_mailing_job"),  # read-only in CiviCRM: get only (below)
    "MailingEventQueue": Entity("civicrm_mailing_event_queue"),
    "MailingEventDelivered": Entity("civicrm_mailing_event_delivered"),
    "MailingEventBounce": Entity("civicrm_mailing_event_bounce"),
}
#: Entities CiviCRM serves read-only (COMPAT §7.6): any write is refused.
READ_ONLY = {"MailingJob", "MailingEventQueue", "MailingEventDelivered", "MailingEventBounce"}


class ApiError(Exception):
    """An API exception: HTTP 500 with the admin's detailed message."""


class Api4Site:
    """API v4 over one CiviCRM database."""

    def __init__(self, params: Any) -> None:
        self._params = params
        self.conn = install.connect(params)
        self.conn.autocommit(True)
        self.conn.cursorclass = MySQLdb.cursors.DictCursor
        self._columns: dict[str, dict[str, str]] = {}
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def close(self) -> None:
        self.conn.close()

    def install(self, rsps: responses.RequestsMock) -> None:
        """Answer every ``{BASE_URL}/civicrm/ajax/api4/{Entity}/{action}`` POST, and the
        few API v3 calls civisms makes at ``{BASE_URL}/civicrm/ajax/rest``."""
        rsps.add_callback(responses.POST, _ROUTE, callback=self._answer)
        rsps.add_callback(responses.POST, BASE_URL + "/civicrm/ajax/rest", callback=self._v3)
        self._rsps = rsps

    def _v3(self, request: Any) -> tuple[int, dict[str, str], str]:
        """API v3 over REST (always HTTP 200; ``is_error`` says how it went)."""
        body = request.body or ""
        form = parse_qs(body.decode() if isinstance(body, bytes) else body)
        entity, action = form["entity"][0], form["action"][0]
        params = json.loads(form.get("json", ["{}"])[0])
        self.calls.append((entity, f"v3.{action}", params))
        try:
            values = self.run_v3(entity, action, params)
            answer = {"is_error": 0, "version": 3, "count": len(values), "values": values}
        except (ApiError, MySQLdb.Error) as exc:
            answer = {"is_error": 1, "error_message": str(exc)}
        return 200, {"Content-Type": "application/json"}, json.dumps(answer, default=str)

    def run_v3(self, entity: str, action: str, params: dict[str, Any]) -> Any:
        """``MailingRecipients.get``, ``Mailing.submit``, ``Mailing.create {id}`` (a save that
        computes the recipients) and ``MailingJob.create {id, status}`` (the API user is
        contact 2).

        Mailing.submit runs civisms' own set-based rules (CiviCRM's, without the number
        checks' dedupe) for getRecipients: the emulator cannot run CiviCRM's PHP.
        """
        if (entity, action) == ("MailingRecipients", "get"):
            rows = self._rows("SELECT id, mailing_id, contact_id, email_id, phone_id FROM "
                              "civicrm_mailing_recipients WHERE mailing_id = %s ORDER BY id",
                              [params["mailing_id"]])
            return {str(r["id"]): r for r in rows}
        if (entity, action) == ("Mailing", "submit"):
            return self._submit(int(params["id"]), params["scheduled_date"])
        if (entity, action) == ("Mailing", "create") and set(params) == {"id"}:
            return self._submit(int(params["id"]), None)  # a save: recipients only
        if (entity, action) == ("MailingJob", "create") and params.get("id"):
            values = {k: params[k] for k in ("status", "end_date") if k in params}
            sets = ", ".join(f"`{k}` = %s" for k in values)
            self._rows(f"UPDATE civicrm_mailing_job SET {sets} WHERE id = %s",
                       [*values.values(), int(params["id"])])
            return {str(params["id"]): {"id": str(params["id"]), **values}}
        raise ApiError(f"API ({entity}, {action}) does not exist (emulator)")

    def _submit(self, mailing_id: int, when: str | None) -> dict[str, Any]:
        from civisms.civicrm.dbconn import Database
        from civisms.civicrm.mailings import DbMailings

        db = Database(self._params)
        try:
            store = DbMailings(db)
            store.compute_recipients(mailing_id, store.get(mailing_id).groups, region=None,
                                     dedupe_numbers=False)
            if when is not None:
                store.submit(mailing_id, datetime.strptime(when, "%Y-%m-%d %H:%M:%S"),
                             API_USER)
        finally:
            db.close()
        return {str(mailing_id): {"id": mailing_id}}

    def _settings(self, names: list[str]) -> list[dict[str, Any]]:
        """``Setting.get``: stored domain values, PHP-unserialized for integers and strings."""
        found = []
        for name in names:
            rows = self._rows("SELECT value FROM civicrm_setting WHERE name = %s AND "
                              "contact_id IS NULL ORDER BY domain_id IS NULL", [name])
            match = re.fullmatch(r'i:(-?\d+);|s:\d+:"(.*)";', str(rows[0]["value"] or "")
                                 ) if rows else None
            if match:
                value: Any = int(match.group(1)) if match.group(1) else match.group(2)
                found.append({"name": name, "value": value, "domain_id": 1})
        return found

    def passthru(self, prefix: str) -> None:
        """Let requests to ``prefix`` (a real local gateway) reach the network."""
        self._rsps.add_passthru(prefix)

    def _answer(self, request: Any) -> tuple[int, dict[str, str], str]:
        entity, action = _ROUTE.match(request.url.split("?")[0]).groups()
        body = request.body or ""
        form = parse_qs(body.decode() if isinstance(body, bytes) else body)
        params = json.loads(form.get("params", ["{}"])[0])
        self.calls.append((entity, action, params))
        try:
            body = self.run(entity, action, params)
        except (ApiError, MySQLdb.Error) as exc:
            body = {"error_id": "EMUL-ATOR-0000", "error_code": 0, "error_message": str(exc),
                    "status": 500}
            return 500, {"Content-Type": "application/json"}, json.dumps(body)
        return 200, {"Content-Type": "application/json"}, json.dumps(body, ensure_ascii=False)

    # -- dispatch --------------------------------------------------------------------------

    def run(self, entity: str, action: str, params: dict[str, Any]) -> dict[str, Any]:
        """The response body of one call."""
        if entity == "Setting" and action == "get":
            values = self._settings(params.get("select") or [])
            return {"values": values, "entity": entity, "action": action, "debug": None,
                    "version": 4, "count": len(values), "countFetched": len(values)}
        spec = ENTITIES.get(entity)
        if spec is None:
            raise ApiError(f"API ({entity}, {action}) does not exist (or the extension it "
                           "belongs to is not enabled).")
        extra: dict[str, Any] = {}
        if entity in READ_ONLY and action != "get":
            raise ApiError(f"Api {entity} {action} version 4 is not allowed (read-only).")
        if action == "get":
            values = self.get(entity, spec, params)
        elif action == "create":
            values = [self.write(entity, spec, dict(params.get("values") or {}))]
        elif action == "save":
            records = [{**(params.get("defaults") or {}), **r} for r in params["records"]]
            values = [self.write(entity, spec, r) for r in records]
            extra["countMatched"] = sum(1 for r in records if r.get("id"))
        elif action == "update":
            values = self.update(entity, spec, params)
        elif action == "delete":
            values = self.delete(entity, spec, params)
        else:
            raise ApiError(f"Api {entity} {action} version 4 does not exist.")
        return {"values": values, "entity": entity, "action": action, "debug": None,
                "version": 4, "count": len(values), "countFetched": len(values), **extra}

    def columns(self, table: str) -> dict[str, str]:
        """Column name → SQL column type, in table order."""
        if table not in self._columns:
            rows = self._rows(
                "SELECT column_name AS name, column_type AS type FROM information_schema.columns"
                " WHERE table_schema = DATABASE() AND table_name = %s ORDER BY ordinal_position",
                [table])
            self._columns[table] = {r["name"]: r["type"] for r in rows}
        return self._columns[table]

    def _rows(self, sql: str, args: list[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.conn.cursor()
        cur.execute(sql, args or None)
        return list(cur.fetchall())

    # -- get -------------------------------------------------------------------------------

    def expr(self, spec: Entity, name: str) -> str | None:
        """The SQL of a readable field, or None when the entity has no such field."""
        if name in self.columns(spec.table):
            return f"t.`{name}`"
        if name in spec.virtual:
            return spec.virtual[name]
        if spec.table == "civicrm_contact" and "." in name:
            return self._contact_path(name)
        column, _, suffix = name.partition(":")
        if column in spec.options and suffix in ("name", "label"):
            return _option(spec.options[column], column, suffix)
        return None

    def _contact_path(self, name: str) -> str | None:
        """A related token path (``address_primary.city``) or a custom field
        (``group.field``) of a contact, as a subquery."""
        from civisms.civicrm.tokendata import path_sql
        from civisms.text.catalog import RELATED

        if name in RELATED:
            (expr,), joins = path_sql([name])
            return f"(SELECT {expr} FROM civicrm_contact c {joins} WHERE c.id = t.id)"
        group, _, field = name.partition(".")
        rows = self._rows("SELECT g.table_name, f.column_name FROM civicrm_custom_field f "
                          "JOIN civicrm_custom_group g ON g.id = f.custom_group_id "
                          "WHERE g.name = %s AND f.name = %s", [group, field])
        if not rows:
            return None
        return (f"(SELECT v.`{rows[0]['column_name']}` FROM `{rows[0]['table_name']}` v "
                "WHERE v.entity_id = t.id)")

    def get(self, entity: str, spec: Entity, params: dict[str, Any]) -> list[dict[str, Any]]:
        cols = self.columns(spec.table)
        names = [n for n in params.get("select") or ["*"] if n != "row_count"]
        if "*" in names:
            at = names.index("*")
            names[at:at + 1] = [c for c in cols if c not in names]
        if names and "id" not in names:
            names.insert(0, "id")  # CiviCRM returns the primary key even when not selected
        select = [(n, self.expr(spec, n)) for n in dict.fromkeys(names)]
        select = [(n, e) for n, e in select if e or n == "group_type:name"]  # unknown: dropped
        args: list[Any] = []
        where = [self.clause(spec, c, args, 0) for c in params.get("where") or []]
        if spec.soft_delete and not _mentions(params.get("where") or [], "is_deleted") \
                and not _by_id(params.get("where") or []):
            where.append("t.is_deleted = 0")
        order = [f"{self._order_expr(spec, f)} {'DESC' if d.upper() == 'DESC' else 'ASC'}"
                 for f, d in (params.get("orderBy") or {}).items()]
        sql = "SELECT " + ", ".join(
            [f"{e} AS `{n}`" for n, e in select if e] + ["t.id AS `__id`"]
        ) + f" FROM {spec.table} t"
        if where:
            sql += " WHERE " + " AND ".join(where)
        if order:
            sql += " ORDER BY " + ", ".join(order)
        if params.get("limit"):
            sql += f" LIMIT {int(params['limit'])} OFFSET {int(params.get('offset') or 0)}"
        rows = self._rows(sql, args)
        return [self.typed(spec, row, [n for n, _ in select]) for row in rows]

    def _order_expr(self, spec: Entity, name: str) -> str:
        found = self.expr(spec, name)
        if found is None:
            raise ApiError(f"Invalid field '{name}'")
        return found

    def clause(self, spec: Entity, clause: list[Any], args: list[Any], depth: int) -> str:
        head = clause[0]
        if head in ("AND", "OR", "NOT"):
            parts = [self.clause(spec, c, args, depth + 1) for c in clause[1]] or ["1"]
            joined = f" {'OR' if head == 'OR' else 'AND'} ".join(parts)
            return f"NOT ({joined})" if head == "NOT" else f"({joined})"
        name, op = clause[0], str(clause[1]).upper()
        value = clause[2] if len(clause) > 2 else None
        if op not in _OPS:
            raise ApiError("Illegal operator")
        if name in ("groups", "groups:name") and spec.table == "civicrm_contact":
            if op not in ("IN", "NOT IN"):
                raise ApiError(f"Illegal operator for groups {op}")
            ids = self._group_members(name, value, args)
            return f"t.id {op} ({ids})"
        sql = self.expr(spec, name)
        if sql is None:
            raise ApiError(f"Invalid field '{name}'")
        if op in ("IS NULL", "IS NOT NULL"):
            return f"{sql} {op}"
        if op in ("IN", "NOT IN"):
            items = list(value or [])
            if not items:
                return "0" if op == "IN" else "1"
            args.extend(_sql_value(v) for v in items)
            return f"{sql} {op} ({', '.join(['%s'] * len(items))})"
        if value == "user_contact_id" and name == "id":
            value = API_USER  # CiviCRM resolves it to the API key's contact
        args.append(_sql_value(value))
        return f"{sql} {'!=' if op == '<>' else op} %s"

    def _group_members(self, name: str, value: Any, args: list[Any]) -> str:
        groups = [v for v in (value or [])]
        if name == "groups:name":
            rows = self._rows("SELECT id FROM civicrm_group WHERE name IN ("
                              + ", ".join(["%s"] * len(groups)) + ")", groups) if groups else []
            groups = [r["id"] for r in rows]
        ids = {int(g) for g in groups}
        frontier = set(ids)
        while frontier:  # descendant groups, as GroupNesting::getDescendentGroupIds
            marks = ", ".join(str(g) for g in frontier)
            rows = self._rows("SELECT child_group_id AS id FROM civicrm_group_nesting "
                              f"WHERE parent_group_id IN ({marks})")
            frontier = {r["id"] for r in rows} - ids
            ids |= frontier
        if not ids:
            return "SELECT NULL FROM DUAL WHERE 0"
        marks = ", ".join(str(g) for g in sorted(ids))
        return (
            "SELECT gc.contact_id FROM civicrm_group_contact gc WHERE gc.status = 'Added' "
            f"AND gc.group_id IN ({marks}) UNION SELECT gcc.contact_id FROM "
            "civicrm_group_contact_cache gcc JOIN civicrm_group g ON g.id = gcc.group_id "
            f"WHERE g.id IN ({marks}) AND g.is_active = 1 AND g.saved_search_id > 0 AND NOT "
            "EXISTS (SELECT 1 FROM civicrm_group_contact r WHERE r.group_id = gcc.group_id "
            "AND r.contact_id = gcc.contact_id AND r.status = 'Removed')"
        )

    def typed(self, spec: Entity, row: dict[str, Any], names: list[str]) -> dict[str, Any]:
        """A row as API v4 types it."""
        cols = self.columns(spec.table)
        out: dict[str, Any] = {}
        for name in names:
            if name == "group_type:name":
                values = _split(row.get("group_type") if "group_type" in row else
                                self._rows("SELECT group_type FROM civicrm_group WHERE id = %s",
                                           [row["__id"]])[0]["group_type"], "\x01")
                out[name] = [self._option_name("group_type", v) for v in values] or None
                continue
            value = row.get(name)
            if name in spec.bookend:
                value = _split(value, "\x01") or None
            elif name in spec.comma:
                value = _split(value, ",") or None
            else:
                value = _json_value(value, cols.get(name, ""))
            out[name] = value
        return out

    def _option_name(self, group: str, value: str) -> str | None:
        rows = self._rows(
            "SELECT v.name FROM civicrm_option_value v JOIN civicrm_option_group g ON "
            "g.id = v.option_group_id WHERE g.name = %s AND v.value = %s", [group, value])
        return rows[0]["name"] if rows else None

    def _option_value(self, group: str, name: str) -> str | None:
        rows = self._rows(
            "SELECT v.value FROM civicrm_option_value v JOIN civicrm_option_group g ON "
            "g.id = v.option_group_id WHERE g.name = %s AND v.name = %s "
            "ORDER BY v.is_active DESC, v.id DESC", [group, name])
        return rows[0]["value"] if rows else None

    # -- writes ----------------------------------------------------------------------------

    def write(self, entity: str, spec: Entity, values: dict[str, Any]) -> dict[str, Any]:
        """Create (no id) or update (id) one record; the echo of what was written."""
        cols = self.columns(spec.table)
        row: dict[str, Any] = {}
        for key, value in values.items():
            column, _, suffix = key.partition(":")
            if suffix:
                if column not in spec.options:
                    raise ApiError(f"Illegal suffix for {column}")
                value = self._option_value(spec.options[column], str(value))
                if value is None:
                    continue  # an unknown name resolves to nothing, as in CiviCRM
            if column in cols:
                row[column] = value
        if entity == "Phone" and row.get("phone"):
            # CiviCRM's trigger (and BAO) keep phone_numeric = the digits of phone.
            row["phone_numeric"] = "".join(c for c in str(row["phone"]) if c.isdigit())
        contacts = {k: values.get(k) for k in
                    ("source_contact_id", "target_contact_id", "assignee_contact_id")}
        record_id = row.pop("id", None)
        if record_id:
            self._update_row(spec, int(record_id), row)
            return {"id": int(record_id), **_echo(row, cols)}
        missing = [r for r in spec.required if row.get(r) in (None, "")]
        if missing:
            raise ApiError(f"Mandatory values missing from Api4 {entity}::create: "
                           f"{', '.join(missing)}")
        if entity == "Activity":
            row.setdefault("priority_id", self._option_value("priority", "Normal"))
        names = list(row)
        cur = self.conn.cursor()
        cur.execute(f"INSERT INTO {spec.table} ({', '.join(f'`{n}`' for n in names)}) VALUES "
                    f"({', '.join(['%s'] * len(names))})", [_sql_value(row[n]) for n in names])
        new_id = int(cur.lastrowid)
        if entity == "Activity":
            self._activity_contacts(new_id, contacts)
        return {"id": new_id, **_echo(row, cols), "custom": None, "check_permissions": None}

    def _activity_contacts(self, activity_id: int, contacts: dict[str, Any]) -> None:
        # CRM_Activity_BAO_Activity::create: record types 2 / 3 / 1, targets de-duplicated.
        for key, record_type in (("source_contact_id", "Activity Source"),
                                 ("target_contact_id", "Activity Targets"),
                                 ("assignee_contact_id", "Activity Assignees")):
            ids = contacts.get(key)
            ids = [ids] if isinstance(ids, int) else list(dict.fromkeys(ids or []))
            value = self._option_value("activity_contacts", record_type)
            for contact_id in ids:
                self.conn.cursor().execute(
                    "INSERT INTO civicrm_activity_contact (activity_id, contact_id, "
                    "record_type_id) VALUES (%s, %s, %s)", [activity_id, contact_id, value])

    def _update_row(self, spec: Entity, record_id: int, row: dict[str, Any]) -> None:
        if row:
            sets = ", ".join(f"`{n}` = %s" for n in row)
            self.conn.cursor().execute(f"UPDATE {spec.table} SET {sets} WHERE id = %s",
                                       [*(_sql_value(v) for v in row.values()), record_id])

    def delete(self, entity: str, spec: Entity, params: dict[str, Any]) -> list[dict[str, Any]]:
        if not params.get("where"):
            raise ApiError("Parameter \"where\" is required.")
        found = self.get(entity, spec, {"select": ["id"], "where": params["where"]})
        for row in found:
            self.conn.cursor().execute(f"DELETE FROM {spec.table} WHERE id = %s", [row["id"]])
        return [{"id": r["id"]} for r in found]

    def update(self, entity: str, spec: Entity, params: dict[str, Any]) -> list[dict[str, Any]]:
        if not params.get("where"):
            raise ApiError("Parameter \"where\" is required.")
        found = self.get(entity, spec, {"select": ["id"], "where": params["where"]})
        return [self.write(entity, spec, {**params.get("values", {}), "id": r["id"]})
                for r in found]


def _mentions(where: list[Any], name: str) -> bool:
    for clause in where:
        if clause and clause[0] in ("AND", "OR", "NOT"):
            if _mentions(clause[1], name):
                return True
        elif clause and clause[0] == name:
            return True
    return False


def _by_id(where: list[Any]) -> bool:
    return any(c and c[0] == "id" and str(c[1]).upper() in ("=", "IN") for c in where)


def _split(value: Any, sep: str) -> list[str]:
    return [v for v in str(value or "").split(sep) if v]


def _sql_value(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def _json_value(value: Any, column_type: str) -> Any:
    if value is None:
        return None
    if column_type.startswith("tinyint(1)"):
        return bool(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return value


def _echo(row: dict[str, Any], cols: dict[str, str]) -> dict[str, Any]:
    """What a create/save echoes: the written values, dates as ``YmdHis`` (recorded)."""
    echo: dict[str, Any] = {}
    for name, value in row.items():
        kind = cols.get(name, "")
        if kind.startswith(("datetime", "timestamp")) and isinstance(value, str):
            value = re.sub(r"\D", "", value)
        elif kind.startswith("int") and isinstance(value, str) and value.isdigit():
            value = int(value)
        echo[name] = value
    return echo


@pytest.fixture
def api4_site(site: Any) -> Iterator[Api4Site]:
    """The emulator over a fresh ``site``, answering at ``https://civicrm.test``."""
    emulator = Api4Site(site.params)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        emulator.install(rsps)
        yield emulator
    emulator.close()


@pytest.fixture
def api4_civicrm(api4_site: Api4Site) -> Iterator[Api4CiviCRM]:
    """An ``Api4CiviCRM`` on ``https://civicrm.test``, backed by the emulator over ``site``."""
    civi = Api4CiviCRM(Api4Client(BASE_URL, API_KEY))
    yield civi
    civi.close()
