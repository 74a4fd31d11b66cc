"""The subset schema (sql/site/) is faithful to CiviCRM 6.17.2, and the sample
site loads everywhere.

(a) every table of the subset matches the 6.17.2 reference dump in information_schema
    (columns, indexes, foreign keys, triggers, table options) and so does the stored
    function; the seed rows equal the reference's;
(b) the sample site loads on the subset and on the three full reference schemas with the
    same rows;
(c) ``phone_numeric`` is filled by the trigger;
(d) the recorded part of the sample site agrees with the APIv4 recordings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from civisms.civicrm import install

if TYPE_CHECKING:
    from conftest import MakeSite, SiteDb

#: Tables civisms reads or writes (the subset must hold at least these).
CIVISMS_TABLES = {
    "civicrm_contact", "civicrm_email", "civicrm_phone", "civicrm_group", "civicrm_group_contact",
    "civicrm_group_contact_cache", "civicrm_group_nesting", "civicrm_saved_search",
    "civicrm_msg_template", "civicrm_mailing", "civicrm_mailing_group", "civicrm_mailing_job",
    "civicrm_mailing_recipients", "civicrm_mailing_event_queue", "civicrm_mailing_event_delivered",
    "civicrm_mailing_event_bounce", "civicrm_mailing_bounce_type", "civicrm_activity",
    "civicrm_activity_contact", "civicrm_sms_provider", "civicrm_option_group",
    "civicrm_option_value", "civicrm_domain", "civicrm_job", "civicrm_campaign", "civicrm_setting",
    "civicrm_location_type", "civicrm_contact_type",
}
SEEDED_TABLES = (
    "civicrm_option_group", "civicrm_option_value", "civicrm_contact_type",
    "civicrm_location_type", "civicrm_job", "civicrm_domain", "civicrm_contact",
)
VERSIONS = ("6.17.2", "5.81.1", "5.69.5")

RefFactory = Callable[..., "SiteDb"]


def _rows(db: SiteDb, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    return [tuple(r.values()) for r in db.query(sql, (db.name, *args))]


def _tables(db: SiteDb) -> set[str]:
    return {
        r[0] for r in _rows(
            db, "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE'",
        )
    }


def _describe(db: SiteDb, tables: set[str]) -> dict[str, dict[str, Any]]:
    """Everything information_schema says about ``tables``, in comparable form."""
    where = "table_schema = %s"
    out: dict[str, dict[str, Any]] = {t: {} for t in tables}
    for t, *rest in _rows(
        db, "SELECT table_name, engine, table_collation, row_format, create_options, "
        f"table_comment FROM information_schema.tables WHERE {where}",
    ):
        if t in out:
            out[t]["table"] = tuple(rest)
    for t, *rest in _rows(
        db, "SELECT table_name, ordinal_position, column_name, column_type, is_nullable, "
        "column_default, extra, collation_name, character_set_name, column_comment "
        f"FROM information_schema.columns WHERE {where} ORDER BY table_name, ordinal_position",
    ):
        if t in out:
            out[t].setdefault("columns", []).append(tuple(rest))
    for t, *rest in _rows(
        db, "SELECT table_name, index_name, seq_in_index, column_name, non_unique, sub_part, "
        f"index_type, collation FROM information_schema.statistics WHERE {where} "
        "ORDER BY table_name, index_name, seq_in_index",
    ):
        if t in out:
            out[t].setdefault("indexes", []).append(tuple(rest))
    for t, *rest in _rows(
        db, "SELECT k.table_name, k.constraint_name, k.ordinal_position, k.column_name, "
        "k.referenced_table_name, k.referenced_column_name, r.update_rule, r.delete_rule "
        "FROM information_schema.key_column_usage k "
        "JOIN information_schema.referential_constraints r "
        "ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name "
        f"AND r.table_name = k.table_name WHERE k.{where} "
        "ORDER BY k.table_name, k.constraint_name, k.ordinal_position",
    ):
        if t in out:
            out[t].setdefault("foreign_keys", []).append(tuple(rest))
    for t, *rest in _rows(
        db, "SELECT event_object_table, trigger_name, action_timing, event_manipulation, "
        "action_order, action_statement, sql_mode, character_set_client, collation_connection "
        "FROM information_schema.triggers WHERE trigger_schema = %s "
        "ORDER BY event_object_table, trigger_name",
    ):
        if t in out:
            rest[4] = " ".join(rest[4].split())
            out[t].setdefault("triggers", []).append(tuple(rest))
    return out


def _functions(db: SiteDb) -> list[tuple[Any, ...]]:
    return _rows(
        db, "SELECT routine_name, routine_type, data_type, dtd_identifier, routine_definition, "
        "is_deterministic, sql_data_access, sql_mode, character_set_client, collation_connection, "
        "database_collation FROM information_schema.routines WHERE routine_schema = %s "
        "ORDER BY routine_name",
    )


# -- (a) the subset is faithful to 6.17.2 ------------------------------------------------


@pytest.fixture(scope="module")
def subset_and_reference(
    reference_site_factory: RefFactory, _site_registry: Any
) -> Iterator[tuple[SiteDb, SiteDb]]:
    """The bare subset (no sample) and the bare 6.17.2 reference, shared by the module."""
    reference = reference_site_factory("6.17.2", sample=False)
    subset = _site_registry.clone("subset", False)
    yield subset, reference
    _site_registry.drop(subset.name)


def test_subset_holds_every_civisms_table_and_their_fk_targets(
    subset_and_reference: tuple[SiteDb, SiteDb],
) -> None:
    subset, reference = subset_and_reference
    tables = _tables(subset)
    assert tables >= CIVISMS_TABLES
    assert tables <= _tables(reference)
    targets = {
        r[0] for r in _rows(
            subset, "SELECT DISTINCT referenced_table_name "
            "FROM information_schema.key_column_usage "
            "WHERE table_schema = %s AND referenced_table_name IS NOT NULL",
        )
    }
    assert targets <= tables, f"FK targets missing from the subset: {targets - tables}"


def test_subset_tables_match_the_reference(subset_and_reference: tuple[SiteDb, SiteDb]) -> None:
    subset, reference = subset_and_reference
    tables = _tables(subset)
    ours, theirs = _describe(subset, tables), _describe(reference, tables)
    for table in sorted(tables):
        for aspect in ("table", "columns", "indexes", "foreign_keys", "triggers"):
            assert ours[table].get(aspect) == theirs[table].get(aspect), f"{table}: {aspect} differ"


def test_subset_has_every_reference_trigger_of_its_tables(
    subset_and_reference: tuple[SiteDb, SiteDb],
) -> None:
    subset, reference = subset_and_reference
    tables = _tables(subset)
    query = (
        "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = %s "
        "ORDER BY trigger_name"
    )
    ours = {r[0] for r in _rows(subset, query)}
    theirs = {
        r[0] for r in _rows(
            reference, "SELECT trigger_name FROM information_schema.triggers "
            "WHERE trigger_schema = %s AND event_object_table IN %s", tuple(sorted(tables)),
        )
    }
    assert ours == theirs
    assert {"civicrm_phone_before_insert", "civicrm_phone_before_update"} <= ours


def test_strip_function_matches_the_reference(subset_and_reference: tuple[SiteDb, SiteDb]) -> None:
    subset, reference = subset_and_reference
    ours = _functions(subset)
    assert [r[0] for r in ours] == ["civicrm_strip_non_numeric"]
    assert ours == _functions(reference)


@pytest.mark.parametrize("table", SEEDED_TABLES)
def test_seed_rows_equal_the_reference(
    subset_and_reference: tuple[SiteDb, SiteDb], table: str
) -> None:
    subset, reference = subset_and_reference
    skip = {"created_date", "modified_date"}  # set by triggers / defaults at load time

    def rows(db: SiteDb) -> list[dict[str, Any]]:
        return [
            {k: v for k, v in r.items() if k not in skip}
            for r in db.query(f"SELECT * FROM `{table}` ORDER BY id")
        ]

    ours = rows(subset)
    assert ours, f"{table} is empty"
    assert ours == rows(reference)


def test_seed_has_the_option_values_civisms_resolves(
    subset_and_reference: tuple[SiteDb, SiteDb],
) -> None:
    subset, _ = subset_and_reference
    rows = subset.query(
        "SELECT og.name AS grp, ov.name, ov.value FROM civicrm_option_value ov "
        "JOIN civicrm_option_group og ON og.id = ov.option_group_id"
    )
    values = {(r["grp"], r["name"]): r["value"] for r in rows}
    assert values[("activity_type", "SMS")] == "4"
    assert values[("activity_type", "Mass SMS")] == "34"
    assert values[("activity_type", "SMS delivery")] == "44"
    assert values[("activity_type", "Inbound SMS")] == "45"
    assert values[("phone_type", "Mobile")] == "2"
    assert values[("activity_status", "Completed")] == "2"
    assert values[("activity_contacts", "Activity Targets")] == "3"
    assert values[("group_type", "Mailing List")] == "2"
    assert values[("sms_api_type", "http")] == "1"
    groups = {r["grp"] for r in rows}
    for group in (
        "individual_prefix", "individual_suffix", "gender", "communication_style", "languages",
        "email_greeting", "postal_greeting", "addressee", "preferred_communication_method",
        "mail_approval_status", "priority", "msg_mode",
    ):
        assert group in groups, group
    assert subset.scalar("SELECT name FROM civicrm_domain WHERE id = 1") == "Default Domain Name"
    assert subset.scalar(
        "SELECT COUNT(*) FROM civicrm_option_group WHERE name = 'sms_provider_name'"
    )


# -- (b) the sample site loads everywhere with the same rows --------------------------------

SAMPLE_QUERIES = {
    "contacts": "SELECT id, contact_type, display_name, sort_name, do_not_sms, is_opt_out, "
                "is_deceased, is_deleted, preferred_language FROM civicrm_contact ORDER BY id",
    "phones": "SELECT id, contact_id, location_type_id, is_primary, phone, phone_numeric, "
              "phone_type_id FROM civicrm_phone ORDER BY id",
    "emails": "SELECT id, contact_id, email, is_primary FROM civicrm_email ORDER BY id",
    "groups": "SELECT id, name, title, saved_search_id, is_active, HEX(group_type) AS gt, parents, "
              "children FROM civicrm_group ORDER BY id",
    "group_contacts": "SELECT id, group_id, contact_id, status FROM civicrm_group_contact "
                      "ORDER BY id",
    "cache": "SELECT group_id, contact_id FROM civicrm_group_contact_cache "
             "ORDER BY group_id, contact_id",
    "nesting": "SELECT child_group_id, parent_group_id FROM civicrm_group_nesting ORDER BY id",
    "templates": "SELECT id, msg_title, msg_text, is_sms, is_active FROM civicrm_msg_template "
                 "ORDER BY id",
    "providers": "SELECT id, name, title, api_type, is_default, is_active, domain_id "
                 "FROM civicrm_sms_provider ORDER BY id",
    "provider_names": "SELECT ov.id, ov.name, ov.value FROM civicrm_option_value ov "
                      "JOIN civicrm_option_group og ON og.id = ov.option_group_id "
                      "WHERE og.name = 'sms_provider_name' ORDER BY ov.id",
    "campaigns": "SELECT id, name, title, campaign_type_id, status_id FROM civicrm_campaign",
}


def _sample_rows(db: SiteDb) -> dict[str, list[dict[str, Any]]]:
    return {key: db.query(sql) for key, sql in SAMPLE_QUERIES.items()}


@pytest.fixture(scope="module")
def subset_sample(_site_registry: Any) -> Iterator[SiteDb]:
    """The subset with the sample site, shared read-only by this module."""
    site = _site_registry.clone("subset", True)
    yield site
    _site_registry.drop(site.name)


def test_sample_site_counts_on_the_subset(subset_sample: SiteDb) -> None:
    counts = {k: len(v) for k, v in _sample_rows(subset_sample).items()}
    assert counts == {
        "contacts": 22, "phones": 21, "emails": 6, "groups": 8, "group_contacts": 21,
        "cache": 9, "nesting": 2, "templates": 4, "providers": 3, "provider_names": 3,
        "campaigns": 1,
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_sample_site_is_the_same_on_every_reference_schema(
    subset_sample: SiteDb, reference_site_factory: RefFactory, version: str
) -> None:
    reference = reference_site_factory(version)
    assert _sample_rows(reference) == _sample_rows(subset_sample)


def test_sample_site_loads_on_a_fresh_reference_with_install_site(
    mariadb: Any, make_site: MakeSite
) -> None:
    """``install_site`` itself (not a clone) on the oldest schema, where most differs."""
    site = make_site("5.69.5")
    assert site.scalar("SELECT COUNT(*) FROM civicrm_contact") == 22
    assert site.scalar("SELECT version FROM civicrm_domain WHERE id = 1") == "5.69.5"


# -- (c) the phone trigger ---------------------------------------------------------------


def test_phone_numeric_filled_by_the_trigger(site: SiteDb) -> None:
    assert site.scalar("SELECT phone_numeric FROM civicrm_phone WHERE id = 8") == "33612345678"
    assert site.scalar("SELECT phone_numeric FROM civicrm_phone WHERE id = 2") == "4155550102"
    assert site.scalar("SELECT phone_numeric FROM civicrm_phone WHERE id = 24") == "0798765432"
    site.execute(
        "INSERT INTO civicrm_phone (contact_id, location_type_id, is_primary, phone, phone_type_id)"
        " VALUES (3, 2, 0, %s, 2)", ("+1 (555) 010-2030",),
    )
    assert site.scalar("SELECT phone_numeric FROM civicrm_phone WHERE phone = %s",
                       ("+1 (555) 010-2030",)) == "15550102030"
    site.execute("UPDATE civicrm_phone SET phone = '+44 20 7946 0000' WHERE id = 1")
    assert site.scalar("SELECT phone_numeric FROM civicrm_phone WHERE id = 1") == "442079460000"


@pytest.mark.parametrize("version", VERSIONS)
def test_phone_numeric_on_reference_schemas(
    reference_site_factory: RefFactory, version: str
) -> None:
    db = reference_site_factory(version)
    rows = db.query("SELECT id, phone_numeric FROM civicrm_phone WHERE id IN (1, 21) ORDER BY id")
    assert [r["phone_numeric"] for r in rows] == ["14155550101", "07700900123"]


# -- (d) the recorded part agrees with the APIv4 recordings ------------------------------


def _recording(name: str) -> dict[str, Any]:
    path = install.shared_dir() / "api4" / f"{name}.json"
    if not path.is_file():
        pytest.skip(f"recording {name} not available")
    body: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))["response"]["body"]
    return body


def test_group_contacts_match_recording(subset_sample: SiteDb) -> None:
    recorded = _recording("GroupContact.get.groups_A_B")["values"]
    rows = subset_sample.query(
        "SELECT gc.id, gc.group_id, g.name AS `group_id:name`, gc.contact_id, "
        "c.display_name AS `contact_id.display_name`, gc.status, gc.location_id, gc.email_id "
        "FROM civicrm_group_contact gc JOIN civicrm_group g ON g.id = gc.group_id "
        "JOIN civicrm_contact c ON c.id = gc.contact_id WHERE gc.group_id IN (2, 3) "
        "ORDER BY gc.group_id, gc.contact_id"
    )
    assert rows == recorded


def test_mobiles_match_recording(subset_sample: SiteDb) -> None:
    recorded = _recording("Phone.get.where_mobile")["values"]
    rows = subset_sample.query(
        "SELECT p.id, p.contact_id, c.display_name AS `contact_id.display_name`, p.phone, "
        "p.phone_numeric, p.phone_ext, p.is_primary, lt.name AS `location_type_id:name`, "
        "p.phone_type_id FROM civicrm_phone p JOIN civicrm_contact c ON c.id = p.contact_id "
        "LEFT JOIN civicrm_location_type lt ON lt.id = p.location_type_id "
        "WHERE p.phone_type_id = 2 AND p.contact_id <= 14 ORDER BY p.contact_id, p.id"
    )
    for row in rows:
        row["is_primary"] = bool(row["is_primary"])
    assert rows == [
        {k: v for k, v in r.items() if k not in ("phone_type_id:name", "phone_type_id:label")}
        for r in recorded
    ]


def test_groups_match_recording(subset_sample: SiteDb) -> None:
    recorded = _recording("Group.get.all")["values"]
    rows = subset_sample.query(
        "SELECT id, name, title, description, group_type, visibility, is_active, is_hidden, "
        "saved_search_id, children FROM civicrm_group WHERE id <= 3 ORDER BY id"
    )
    for row in rows:
        row["group_type"] = row["group_type"].strip("\x01").split("\x01")
        row["is_active"], row["is_hidden"] = bool(row["is_active"]), bool(row["is_hidden"])
    assert rows == [
        {k: v for k, v in r.items() if k != "group_type:name"} for r in recorded
    ]


def test_contacts_match_recordings(subset_sample: SiteDb) -> None:
    names = {
        r["id"]: r["display_name"]
        for page in ("offset0", "offset4", "offset8")
        for r in _recording(f"Contact.get.page_limit4_{page}")["values"]
    }
    rows = subset_sample.query("SELECT id, display_name FROM civicrm_contact WHERE id <= 12")
    assert {r["id"]: r["display_name"] for r in rows} == names
    a_count = _recording("Contact.get.row_count_group_A")["countMatched"]
    assert subset_sample.scalar(
        "SELECT COUNT(*) FROM civicrm_group_contact WHERE group_id = 2 AND status = 'Added'"
    ) == a_count


def test_templates_provider_campaign_domain_match_recordings(subset_sample: SiteDb) -> None:
    template = _recording("MessageTemplate.get.where_is_sms")["values"][0]
    row = subset_sample.query(
        "SELECT id, msg_title, msg_subject, msg_text, msg_html, is_sms, is_active, is_default, "
        "is_reserved, workflow_name FROM civicrm_msg_template WHERE id = 68"
    )[0]
    assert {k: (bool(v) if k.startswith("is_") else v) for k, v in row.items()} == template
    saved = _recording("MessageTemplate.save.save_as_new_like_sms_form")["values"][0]
    assert subset_sample.query(
        "SELECT msg_title, msg_text FROM civicrm_msg_template WHERE id = 69"
    ) == [{"msg_title": saved["msg_title"], "msg_text": saved["msg_text"]}]

    provider = _recording("SmsProvider.get.after_create")["values"][0]
    row = subset_sample.query(
        "SELECT id, name, title, username, password, api_type, api_url, api_params, is_active, "
        "domain_id FROM civicrm_sms_provider WHERE id = 1"
    )[0]
    row["is_active"] = bool(row["is_active"])
    assert row == {k: v for k, v in provider.items() if k in row}
    assert subset_sample.scalar(
        "SELECT COUNT(*) FROM civicrm_sms_provider WHERE is_default = 1"
    ) == 1

    option = _recording("OptionValue.create.register_sms_provider_name")["values"][0]
    assert subset_sample.query(
        "SELECT id, label, value, name, weight FROM civicrm_option_value WHERE id = 889"
    ) == [{k: option[k] for k in ("id", "label", "value", "name", "weight")}]

    campaign = _recording("Campaign.get.all")["values"][0]
    row = subset_sample.query(
        "SELECT id, name, title, campaign_type_id, status_id, created_id FROM civicrm_campaign"
    )[0]
    assert row == {k: campaign[k] for k in row}
    domain = _recording("Domain.get.current")["values"][0]
    assert subset_sample.scalar("SELECT name FROM civicrm_domain WHERE id = 1") == domain["name"]
