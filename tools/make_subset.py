"""Regenerate ``civicrm-schema.sql`` and ``civicrm-seed.sql`` from the 6.17.2 reference dump.

    .venv/bin/python tools/make_subset.py [path/to/schema-6.17.2.sql]

The table blocks (CREATE TABLE, then the table's triggers) and the stored function are
copied verbatim from the reference; only the ``DROP TABLE IF EXISTS`` lines are left out,
so that loading the subset by mistake into an existing site fails instead of wiping it.
The seed is the reference's whole data section, verbatim.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "sql" / "site"
DEFAULT_REFERENCE = ROOT.parent / "shared" / "civicrm" / "schema-6.17.2.sql"

#: The tables civisms reads or writes.
CIVISMS_TABLES = (
    "civicrm_contact", "civicrm_email", "civicrm_phone", "civicrm_group",
    "civicrm_group_contact", "civicrm_group_contact_cache", "civicrm_group_nesting",
    "civicrm_saved_search", "civicrm_msg_template", "civicrm_mailing", "civicrm_mailing_group",
    "civicrm_mailing_job", "civicrm_mailing_recipients", "civicrm_mailing_event_queue",
    "civicrm_mailing_event_delivered", "civicrm_mailing_event_bounce",
    "civicrm_mailing_bounce_type", "civicrm_activity", "civicrm_activity_contact",
    "civicrm_sms_provider", "civicrm_option_group", "civicrm_option_value", "civicrm_domain",
    "civicrm_job", "civicrm_campaign", "civicrm_setting", "civicrm_location_type",
    "civicrm_contact_type", "civicrm_log", "civicrm_address", "civicrm_country",
    "civicrm_state_province", "civicrm_county", "civicrm_custom_group", "civicrm_custom_field",
)

#: Tables no FK reaches but that triggers of included tables write to: without them an
#: UPDATE/DELETE of civicrm_activity (civicrm_case_activity) or a relationship write
#: (civicrm_relationship_cache) would fail, where the real site succeeds.
TRIGGER_DEPENDENCIES = ("civicrm_case_activity", "civicrm_relationship_cache")

DROP_RE = re.compile(r"^DROP TABLE IF EXISTS `(\w+)`;\n", re.M)


def table_blocks(schema: str) -> dict[str, str]:
    """``table → text`` from its DROP TABLE line up to the next one (CREATE + triggers)."""
    starts = [(m.start(), m.end(), m.group(1)) for m in DROP_RE.finditer(schema)]
    end_of_tables = schema.index("/*!50003 SET @saved_sql_mode", starts[-1][1])
    blocks: dict[str, str] = {}
    for k, (_start, body_start, name) in enumerate(starts):
        stop = starts[k + 1][0] if k + 1 < len(starts) else end_of_tables
        blocks[name] = schema[body_start:stop]
    return blocks


def references(block: str) -> list[str]:
    """Tables a CREATE TABLE block points to by FOREIGN KEY."""
    create = block[: block.index(") ENGINE=")]
    return re.findall(r"REFERENCES `(\w+)`", create)


def closure(blocks: dict[str, str], roots: list[str]) -> list[str]:
    """``roots`` plus every table reachable by FOREIGN KEY, in the reference's order."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        table = todo.pop()
        if table in seen:
            continue
        seen.add(table)
        todo.extend(references(blocks[table]))
    return [t for t in blocks if t in seen]


def main(reference: Path) -> None:
    """Write the two files next to this script."""
    text = reference.read_text(encoding="utf-8")
    first = text.index("/*M!999999")
    schema_end = text.index("/*M!999999", first + 1)  # the data dump starts here
    schema, data = text[:schema_end], text[schema_end:]
    blocks = table_blocks(schema)
    tables = closure(blocks, [*CIVISMS_TABLES, *TRIGGER_DEPENDENCIES])
    missing = [t for t in tables if t not in blocks]
    if missing:
        raise SystemExit(f"not in the reference: {missing}")

    preamble_start = text.index("/*!40101 SET @OLD_CHARACTER_SET_CLIENT")
    preamble = schema[preamble_start : DROP_RE.search(schema).start()]  # type: ignore[union-attr]
    function_start = schema.index("/*!50003 SET @saved_sql_mode", schema.rindex("CREATE TABLE"))
    tail = schema[function_start:]
    extras = [t for t in tables if t not in CIVISMS_TABLES]
    header = (
        "-- civisms: the CiviCRM 6.17.2 tables civisms touches, every table they reference by\n"
        "-- FOREIGN KEY, their triggers and civicrm_strip_non_numeric, copied verbatim from\n"
        f"-- {reference.name} by tools/make_subset.py (DROP TABLE lines left out).\n"
        f"-- {len(tables)} tables. "
        "Added for FOREIGN KEYs or triggers: " + ", ".join(extras) + ".\n"
        "-- Load into an empty utf8mb4 database, then civicrm-seed.sql.\n"
    )
    body = "".join(blocks[t] for t in tables)
    (OUT / "civicrm-schema.sql").write_text(header + preamble + body + tail, encoding="utf-8")
    seed_header = (
        "-- civisms: the reference rows of a fresh CiviCRM 6.17.2 install (option groups and\n"
        "-- values, contact types, location types, scheduled jobs, domain, contact 1), copied\n"
        f"-- verbatim from the data section of {reference.name} by tools/make_subset.py.\n"
        "-- Load after civicrm-schema.sql.\n"
    )
    (OUT / "civicrm-seed.sql").write_text(seed_header + data, encoding="utf-8")
    print(f"{len(tables)} tables: {' '.join(tables)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_REFERENCE)
