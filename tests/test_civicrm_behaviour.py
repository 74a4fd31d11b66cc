"""One behaviour suite, run against both backends on the same sample site.

``db`` reads the MariaDB test database; ``api4`` speaks REST API v4 to the emulator
serving the very same database, so any difference is a backend's fault.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from civisms.civicrm.base import CiviCRM
from civisms.civicrm.db import DbCiviCRM
from civisms.errors import CiviCRMNotFound
from civisms.model import Activity

if TYPE_CHECKING:
    from conftest import SiteDb


@pytest.fixture(params=["db", "api4"])
def civicrm(request: pytest.FixtureRequest, site: SiteDb) -> Iterator[CiviCRM]:
    if request.param == "db":
        backend: Any = DbCiviCRM(site.params)
        yield backend
        backend.close()
    else:
        yield request.getfixturevalue("api4_civicrm")


def test_option_values_by_name(civicrm: CiviCRM) -> None:
    types = civicrm.option_values("activity_type")
    assert (types["SMS"], types["Mass SMS"], types["SMS delivery"], types["Inbound SMS"]) == (
        4, 34, 44, 45,
    )
    assert civicrm.option_value("phone_type", "Mobile") == 2
    assert civicrm.option_value("activity_contacts", "Activity Targets") == 3
    assert civicrm.option_labels("activity_type")["4"] == "Outbound SMS"
    with pytest.raises(CiviCRMNotFound, match="'Texting' not found in option group"):
        civicrm.option_value("activity_type", "Texting")


def test_domain_and_version(civicrm: CiviCRM) -> None:
    domain = civicrm.domain()
    assert (domain.id, domain.name, domain.contact_id) == (1, "Default Domain Name", 1)
    assert civicrm.civicrm_version() == "6.17.2"


def test_contacts_with_phones_primary_first(civicrm: CiviCRM) -> None:
    carla, helene, missing = 5, 9, 999
    found = civicrm.contacts([helene, carla, missing], ["first_name", "last_name"])
    assert [c.id for c in found] == [carla, helene]
    carla_c, helene_c = found
    assert [(p.id, p.phone_type, p.is_primary) for p in carla_c.phones] == [
        (4, "Mobile", True), (3, "Mobile", False),
    ]
    assert helene_c.fields["first_name"] == "Hélène"
    assert helene_c.fields["last_name"] == "Dupré-Lefèvre"
    assert helene_c.phones[0].phone_numeric == "33612345678"


def test_contact_flags_and_trash(civicrm: CiviCRM) -> None:
    by_id = {c.id: c for c in civicrm.contacts([6, 7, 8, 27])}
    assert by_id[6].do_not_sms and by_id[7].is_deceased and by_id[8].is_opt_out
    assert by_id[27].is_deleted
    assert 27 not in {c.id for c in civicrm.contacts([27], include_deleted=False)}


def test_group_members_static_smart_and_removed(civicrm: CiviCRM) -> None:
    assert civicrm.group_contact_ids(2) == [3, 4, 5, 6, 7, 8, 9, 10, 12]  # Henry was Removed
    assert civicrm.group_contact_ids(3) == [10, 11]
    assert civicrm.group_contact_ids(4) == [20, 25]  # smart: cache minus Marie (Removed)
    live = {c.id for c in civicrm.contacts(civicrm.group_contact_ids(5), include_deleted=False)}
    assert live == {20, 21, 22, 23, 24, 28}  # parent of groups 6 and 7


def test_find_contacts_by_email_or_name(civicrm: CiviCRM) -> None:
    assert [c.id for c in civicrm.find_contacts("alice.martin@example.org")] == [3]
    assert [c.id for c in civicrm.find_contacts("Green Valley Co-op")] == [12]
    assert [c.id for c in civicrm.find_contacts("famille.janssens@example.be")] == [25, 26]
    assert civicrm.find_contacts("Victor Kahn") == []  # in the trash


def test_groups(civicrm: CiviCRM) -> None:
    groups = {g.id: g for g in civicrm.groups()}
    assert groups[2].title == "SMS Supporters" and groups[2].group_types == ("Mailing List",)
    assert groups[4].is_smart and not groups[2].is_smart
    assert not groups[8].is_active


def test_sms_templates_save_and_update(civicrm: CiviCRM) -> None:
    titles = [t.title for t in civicrm.sms_templates()]
    assert titles == ["SMS Spring reminder", "SMS thank you (saved from form)"]
    assert len(civicrm.sms_templates(include_inactive=True)) == 3
    saved = civicrm.save_sms_template("Autumn", "Hi {contact.first_name}")
    assert saved.title == "Autumn" and saved.text == "Hi {contact.first_name}"
    updated = civicrm.update_sms_template(saved.id, "Hello {contact.first_name}")
    assert (updated.id, updated.title, updated.text) == (saved.id, "Autumn",
                                                          "Hello {contact.first_name}")
    assert "Autumn" in [t.title for t in civicrm.sms_templates()]


def test_sms_providers_with_parsed_params(civicrm: CiviCRM) -> None:
    providers = civicrm.sms_providers()
    assert [p.id for p in providers] == [2, 1, 3]  # default first, then by id
    local = providers[0]
    assert (local.name, local.is_default, local.is_active, local.api_type) == (
        "org.civisms.local", True, True, "http",
    )
    assert "From" in local.api_params
    assert [p.id for p in civicrm.sms_providers(include_inactive=False)] == [2, 1]


def test_activity_written_as_civicrm_writes_it(civicrm: CiviCRM, site: SiteDb) -> None:
    activity_id = civicrm.create_activity(Activity(
        activity_type="SMS", source_contact_id=2, subject="Spring", details="Hi {contact.id}",
        targets=(9, 3, 9), campaign_id=1,
    ))
    civicrm.add_activity_targets(activity_id, [3, 12])
    (row,) = site.query("SELECT * FROM civicrm_activity WHERE id = %s", [activity_id])
    assert (row["activity_type_id"], row["status_id"], row["priority_id"]) == (4, 2, 2)
    assert (row["subject"], row["details"], row["campaign_id"]) == ("Spring", "Hi {contact.id}", 1)
    links = site.query(
        "SELECT contact_id, record_type_id FROM civicrm_activity_contact "
        "WHERE activity_id = %s ORDER BY record_type_id, contact_id", [activity_id],
    )
    assert [(r["contact_id"], r["record_type_id"]) for r in links] == [
        (2, 2), (3, 3), (9, 3), (12, 3),
    ]


def test_many_activities_at_once(civicrm: CiviCRM, site: SiteDb) -> None:
    ids = civicrm.create_activities([
        Activity(activity_type="SMS delivery", source_contact_id=2, details=f"m{i}",
                 result=f"id-{i}", targets=(3,))
        for i in range(5)
    ])
    assert len(set(ids)) == 5
    rows = site.query("SELECT id, result, details FROM civicrm_activity ORDER BY id")
    assert [(r["id"], r["result"]) for r in rows] == [(i, f"id-{n}") for n, i in enumerate(ids)]
