"""Token values beyond ``civicrm_contact`` on the db backend: related records, custom
fields, settings (``civisms.text.catalog`` names them; docs/tokens.md).

``related_values`` reads, for a batch of contacts, the primary address (with its country,
state, county, world region and location type), the primary phone and email, and the
employer, in one query of LEFT JOINs; only the columns asked for are selected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from civisms.civicrm.dbconn import Database
from civisms.civicrm.queries import placeholders
from civisms.model import CustomField

_PRIMARY = ("(SELECT x.id FROM {table} x WHERE x.contact_id = c.id "
            "ORDER BY x.is_primary DESC, x.id LIMIT 1)")
#: join alias -> JOIN clause; a path's alias pulls its join (and the joins it needs).
_JOINS = {
    "a": "LEFT JOIN civicrm_address a ON a.id = " + _PRIMARY.format(table="civicrm_address"),
    "co": "LEFT JOIN civicrm_country co ON co.id = a.country_id",
    "sp": "LEFT JOIN civicrm_state_province sp ON sp.id = a.state_province_id",
    "cy": "LEFT JOIN civicrm_county cy ON cy.id = a.county_id",
    "wr": "LEFT JOIN civicrm_worldregion wr ON wr.id = co.region_id",
    "lt": "LEFT JOIN civicrm_location_type lt ON lt.id = a.location_type_id",
    "p": "LEFT JOIN civicrm_phone p ON p.id = " + _PRIMARY.format(table="civicrm_phone"),
    "e": "LEFT JOIN civicrm_email e ON e.id = " + _PRIMARY.format(table="civicrm_email"),
    "emp": "LEFT JOIN civicrm_contact emp ON emp.id = c.employer_id",
}
_NEEDS = {"co": ("a",), "sp": ("a",), "cy": ("a",), "lt": ("a",), "wr": ("a", "co")}
_PHONE_TYPE = ("(SELECT ov.label FROM civicrm_option_value ov JOIN civicrm_option_group og "
               "ON og.id = ov.option_group_id AND og.name = 'phone_type' "
               "WHERE ov.value = p.phone_type_id LIMIT 1)")
_SPECIAL = {
    "address_primary.location_type_id:label": ("lt", "lt.display_name"),
    "address_primary.county_id:label": ("cy", "cy.name"),
    "address_primary.state_province_id:abbr": ("sp", "sp.abbreviation"),
    "address_primary.state_province_id:label": ("sp", "sp.name"),
    "address_primary.country_id:label": ("co", "co.name"),
    "address_primary.country_id:abbr": ("co", "co.iso_code"),
    "address_primary.country_id:name": ("co", "co.iso_code"),
    "address_primary.country_id.region_id:name": ("wr", "wr.name"),
    "phone_primary.phone_type_id:label": ("p", _PHONE_TYPE),
    "employer_id.display_name": ("emp", "emp.display_name"),
}
_PREFIX = {"address_primary": "a", "phone_primary": "p", "email_primary": "e"}
_COLUMN = re.compile(r"^[a-z_0-9]+$")


def _expression(path: str) -> tuple[str, str]:
    if path in _SPECIAL:
        return _SPECIAL[path]
    head, _, column = path.partition(".")
    alias = _PREFIX.get(head)
    if alias is None or not _COLUMN.match(column):
        raise ValueError(f"not a related token path: {path!r}")
    return alias, f"{alias}.`{column}`"


def path_sql(paths: Sequence[str]) -> tuple[list[str], str]:
    """The select expressions of ``paths`` over ``civicrm_contact c`` and the joins they need."""
    exprs = [_expression(p) for p in paths]
    aliases: list[str] = []
    for alias, _ in exprs:
        for needed in (*_NEEDS.get(alias, ()), alias):
            if needed not in aliases:
                aliases.append(needed)
    order = list(_JOINS)
    joins = " ".join(_JOINS[a] for a in sorted(aliases, key=order.index))
    return [sql for _, sql in exprs], joins


def related_values(db: Database, ids: Sequence[int], paths: Iterable[str]
                   ) -> dict[int, dict[str, Any]]:
    """Per contact id, the value of each path (None where the record or value is missing)."""
    wanted = sorted(set(paths))
    if not ids or not wanted:
        return {}
    exprs, joins = path_sql(wanted)
    select = ", ".join(f"{sql} AS `v{i}`" for i, sql in enumerate(exprs))
    marks = ", ".join(str(int(i)) for i in ids)
    rows = db.rows(f"SELECT c.id AS contact_id, {select} FROM civicrm_contact c {joins} "
                   f"WHERE c.id IN ({marks})")
    return {int(r["contact_id"]): {p: r[f"v{i}"] for i, p in enumerate(wanted)} for r in rows}


def custom_fields(db: Database, field_ids: Iterable[int]) -> dict[int, CustomField]:
    """The fields, with the labels of their options."""
    ids = sorted({int(i) for i in field_ids})
    if not ids:
        return {}
    rows = db.rows("SELECT f.id, f.data_type, f.html_type, f.serialize, f.option_group_id, "
                   "f.column_name, g.table_name FROM civicrm_custom_field f JOIN "
                   "civicrm_custom_group g ON g.id = f.custom_group_id "
                   f"WHERE f.id IN ({placeholders(len(ids))})", ids)
    found: dict[int, CustomField] = {}
    for r in rows:
        options: dict[str, str] = {}
        if r["option_group_id"]:
            for o in db.rows("SELECT value, label FROM civicrm_option_value WHERE "
                             "option_group_id = %s ORDER BY weight, id", [r["option_group_id"]]):
                options.setdefault(str(o["value"]), o["label"])
        found[int(r["id"])] = CustomField(int(r["id"]), r["data_type"], r["html_type"],
                                          bool(r["serialize"]), options,
                                          f"{r['table_name']}.{r['column_name']}")
    return found


def custom_values(db: Database, ids: Sequence[int], fields: Sequence[CustomField]
                  ) -> dict[int, dict[int, Any]]:
    """Per contact id, each field's stored value (fields of one group in one query)."""
    tables: dict[str, list[tuple[int, str]]] = {}
    for f in fields:
        table, _, column = f.source.partition(".")
        if _COLUMN.match(table) and _COLUMN.match(column):
            tables.setdefault(table, []).append((f.id, column))
    out: dict[int, dict[int, Any]] = {}
    marks = ", ".join(str(int(i)) for i in ids)
    for table, columns in tables.items():
        if not marks:
            break
        select = ", ".join(f"`{col}` AS `f{fid}`" for fid, col in columns)
        for r in db.rows(f"SELECT entity_id, {select} FROM `{table}` "
                         f"WHERE entity_id IN ({marks})"):
            out.setdefault(int(r["entity_id"]), {}).update(
                {fid: r[f"f{fid}"] for fid, _ in columns})
    return out


def setting(db: Database, name: str, domain_id: int) -> Any:
    """A PHP-serialized scalar setting (``i:7;``, ``s:2:"ab";``, ``b:1;``), domain first."""
    rows = db.rows("SELECT value FROM civicrm_setting WHERE name = %s AND contact_id IS NULL "
                   "AND (domain_id = %s OR domain_id IS NULL) ORDER BY domain_id IS NULL",
                   [name, domain_id])
    if not rows or rows[0]["value"] is None:
        return None
    match = re.fullmatch(r'[ibd]:(-?[\d.]+);|s:\d+:"(.*)";', str(rows[0]["value"]).strip(),
                         re.DOTALL)
    if not match:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)
