"""Token values beyond ``civicrm_contact`` through API v4 (the api4 backend's side of
``civisms.civicrm.tokendata``).

API v4 names the related paths as ``civisms.text.catalog`` does, so one ``Contact.get``
selects them all (recording ``Contact.get.related_token_paths``); custom fields are read
as ``group.field`` (``CustomField.get.token_fields``, ``Contact.get.custom_values``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from civisms.civicrm.api4_client import Api4Client
from civisms.model import CustomField

CHUNK = 500


def related_values(api: Api4Client, ids: Sequence[int], paths: Iterable[str]
                   ) -> dict[int, dict[str, Any]]:
    """Per contact id, the value of each path (the trash included: the where names ids)."""
    wanted = sorted(set(paths))
    out: dict[int, dict[str, Any]] = {}
    ids = sorted({int(i) for i in ids})
    for start in range(0, len(ids) if wanted else 0, CHUNK):
        part = ids[start : start + CHUNK]
        for row in api.values("Contact", "get", {
                "select": ["id", *wanted], "where": [["id", "IN", part]],
                "orderBy": {"id": "ASC"}}):
            out[int(row["id"])] = {p: row.get(p) for p in wanted}
    return out


def custom_fields(api: Api4Client, field_ids: Iterable[int]) -> dict[int, CustomField]:
    """The fields, with the labels of their options."""
    ids = sorted({int(i) for i in field_ids})
    if not ids:
        return {}
    rows = api.values("CustomField", "get", {
        "select": ["id", "name", "custom_group_id.name", "data_type", "html_type",
                   "serialize", "option_group_id"], "where": [["id", "IN", ids]]})
    groups = sorted({int(r["option_group_id"]) for r in rows if r.get("option_group_id")})
    options: dict[int, dict[str, str]] = {}
    if groups:
        for o in api.get_all("OptionValue", {
                "select": ["option_group_id", "value", "label"],
                "where": [["option_group_id", "IN", groups]],
                "orderBy": {"weight": "ASC", "id": "ASC"}}):
            options.setdefault(int(o["option_group_id"]), {}).setdefault(
                str(o["value"]), o["label"])
    return {int(r["id"]): CustomField(
        int(r["id"]), r["data_type"], r.get("html_type"), bool(r.get("serialize")),
        options.get(int(r["option_group_id"] or 0), {}),
        f"{r['custom_group_id.name']}.{r['name']}") for r in rows}


def custom_values(api: Api4Client, ids: Sequence[int], fields: Sequence[CustomField]
                  ) -> dict[int, dict[int, Any]]:
    """Per contact id, each field's stored value."""
    names = {f.source: f.id for f in fields if f.source}
    found = related_values(api, ids, names)
    return {cid: {names[n]: v for n, v in row.items()} for cid, row in found.items()}


def setting(api: Api4Client, name: str, domain_id: int) -> Any:
    """A setting's value (``Setting.get.checksum_timeout``)."""
    rows = api.values("Setting", "get", {"select": [name], "domainId": domain_id})
    return rows[0].get("value") if rows else None
