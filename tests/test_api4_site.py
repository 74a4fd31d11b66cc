"""The API v4 emulator (tests/api4_site.py) against the recordings, and the backend over it.

Replaying a recorded request on the sample site (whose first part is the recorded site)
must give the recorded ``values``; where the sample adds rows, only the recorded ids are
compared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from api4_recordings import entity_action, load

from civisms.civicrm.api4 import Api4CiviCRM
from civisms.errors import CiviCRMAPIError
from civisms.model import Activity

if TYPE_CHECKING:
    from api4_site import Api4Site


EXACT = [
    "OptionValue.get.phone_type",
    "OptionValue.get.activity_status",
    "OptionValue.get.activity_contacts_record_types",
    "Contact.get.page_limit4_offset0",
    "Contact.get.page_limit4_offset4",
    "Contact.get.page_limit4_offset8",
    "Contact.get.where_groups_field",
    "Contact.get.where_groups_name",
    "Domain.get.current",
    "Campaign.get.all",
]
# The sample site adds rows (part 2); compare the recorded ones.
RECORDED_IDS = ["Group.get.all", "MessageTemplate.get.where_is_sms", "SmsProvider.get.after_create"]
ERRORS = [
    "NoSuchEntity.get.error_unknown_entity",
    "Contact.frobnicate.error_unknown_action",
    "Contact.get.error_invalid_where_field",
    "Contact.get.error_groups_equals_operator",
    "Contact.get.error_invalid_operator",
]


def replay(civi: Api4CiviCRM, name: str, params: dict[str, Any] | None = None) -> list[dict]:
    recording = load(name)
    entity, action = entity_action(recording)
    return civi.api.values(entity, action, params or recording["request"]["params"])


def recorded_values(name: str) -> list[dict[str, Any]]:
    return load(name)["response"]["body"]["values"]


@pytest.mark.parametrize("name", EXACT)
def test_replay_gives_the_recorded_values(api4_civicrm: Api4CiviCRM, name: str) -> None:
    assert replay(api4_civicrm, name) == recorded_values(name)


@pytest.mark.parametrize("name", RECORDED_IDS)
def test_replay_gives_the_recorded_rows(api4_civicrm: Api4CiviCRM, name: str) -> None:
    expected = recorded_values(name)
    ids = {row["id"] for row in expected}
    got = [row for row in replay(api4_civicrm, name) if row["id"] in ids]
    if name.startswith("SmsProvider"):
        # The sample makes provider 2 the site default, so provider 1 is not (sample-site.sql).
        expected = [{**row, "is_default": False} for row in expected]
    assert got == expected


@pytest.mark.parametrize("name", ERRORS)
def test_replay_gives_the_recorded_error(api4_civicrm: Api4CiviCRM, name: str) -> None:
    with pytest.raises(CiviCRMAPIError) as err:
        replay(api4_civicrm, name)
    assert load(name)["response"]["body"]["error_message"] in str(err.value)


def test_replay_activity_create_writes_what_civicrm_wrote(api4_civicrm: Api4CiviCRM) -> None:
    [created] = replay(api4_civicrm, "Activity.create.sms_with_targets")
    recorded = recorded_values("Activity.create.sms_with_targets")[0]
    for key in ("activity_type_id", "status_id", "priority_id", "activity_date_time",
                "campaign_id", "subject", "details", "phone_number"):
        assert created[key] == recorded[key], key
    params = load("ActivityContact.get.of_sms_activity")["request"]["params"]
    params = {**params, "where": [["activity_id", "=", created["id"]]]}
    rows = replay(api4_civicrm, "ActivityContact.get.of_sms_activity", params)
    strip = ("id", "activity_id")
    assert [{k: v for k, v in r.items() if k not in strip} for r in rows] == [
        {k: v for k, v in r.items() if k not in strip}
        for r in recorded_values("ActivityContact.get.of_sms_activity")
    ]


def test_replay_template_save(api4_civicrm: Api4CiviCRM) -> None:
    [saved] = replay(api4_civicrm, "MessageTemplate.save.save_as_new_like_sms_form")
    [recorded] = recorded_values("MessageTemplate.save.save_as_new_like_sms_form")
    assert {**saved, "id": recorded["id"]} == recorded


def test_unknown_activity_type_name_is_the_recorded_error(api4_civicrm: Api4CiviCRM) -> None:
    with pytest.raises(CiviCRMAPIError, match="Mandatory values missing"):
        replay(api4_civicrm, "Activity.create.error_unknown_activity_type_name")


# -- the backend over the emulator ---------------------------------------------------------


def test_contacts_with_phones_primary_first(api4_civicrm: Api4CiviCRM) -> None:
    contacts = api4_civicrm.contacts([10, 5, 27, 999], ["first_name"])
    assert [c.id for c in contacts] == [5, 10, 27]
    carla, grace, victor = contacts
    assert [p.id for p in carla.phones] == [4, 3]
    assert carla.mobiles[0].phone_numeric == "14155550103"
    assert [(p.phone_type, p.is_primary) for p in grace.phones] == [("Phone", True),
                                                                   ("Mobile", False)]
    assert victor.is_deleted and victor.email == "victor.kahn@example.org"
    assert carla.fields["first_name"] == "Carla"
    assert [c.id for c in api4_civicrm.contacts([5, 27], include_deleted=False)] == [5]


def test_group_members(api4_civicrm: Api4CiviCRM) -> None:
    assert api4_civicrm.group_contact_ids(2) == [3, 4, 5, 6, 7, 8, 9, 10, 12]
    assert api4_civicrm.group_contact_ids(6) == [21, 22, 27]  # 27 is in the trash
    assert api4_civicrm.group_contact_ids(4) == [20, 25]  # 26 Removed from the smart group


def test_find_contacts_by_email_or_name(api4_civicrm: Api4CiviCRM) -> None:
    assert [c.id for c in api4_civicrm.find_contacts("famille.janssens@example.be")] == [25, 26]
    assert [c.id for c in api4_civicrm.find_contacts(" Grace Lee ")] == [10]
    assert api4_civicrm.find_contacts("victor.kahn@example.org") == []  # in the trash


def test_reads_of_the_sample_site(api4_civicrm: Api4CiviCRM) -> None:
    providers = api4_civicrm.sms_providers()
    assert [p.id for p in providers] == [2, 1, 3] and providers[0].is_default
    assert [p.id for p in api4_civicrm.sms_providers(include_inactive=False)] == [2, 1]
    assert [t.id for t in api4_civicrm.sms_templates()] == [68, 69]
    assert [t.id for t in api4_civicrm.sms_templates(include_inactive=True)] == [70, 68, 69]
    groups = api4_civicrm.groups()
    assert [g.title for g in groups] == sorted(g.title for g in groups)
    assert next(g for g in groups if g.id == 6).parents == (5,)
    assert next(g for g in groups if g.id == 4).is_smart
    domain = api4_civicrm.domain()
    assert (domain.name, domain.version, domain.contact_id) == ("Default Domain Name", "6.17.2", 1)
    assert [c.name for c in api4_civicrm.campaigns()] == ["spring_sms_drive_2026"]


def test_writes_round_trip(api4_civicrm: Api4CiviCRM, api4_site: Api4Site) -> None:
    activity_id = api4_civicrm.create_activity(
        Activity("SMS", 2, subject="Hi", details="Hi {contact.first_name}", targets=(3, 9, 3)))
    api4_civicrm.add_activity_targets(activity_id, [9, 10, 10])
    rows = api4_site._rows("SELECT contact_id, record_type_id FROM civicrm_activity_contact "
                           "WHERE activity_id = %s ORDER BY record_type_id, contact_id",
                           [activity_id])
    assert [(r["contact_id"], r["record_type_id"]) for r in rows] == [
        (2, 2), (3, 3), (9, 3), (10, 3)]
    ids = api4_civicrm.create_activities([Activity("SMS delivery", 2, targets=(c,), result=f"m{c}")
                                          for c in (3, 9)])
    assert len(ids) == 2 and ids[1] == ids[0] + 1
    saved = api4_civicrm.save_sms_template("New one", "Text {contact.first_name}")
    assert saved.id in [t.id for t in api4_civicrm.sms_templates()]
    updated = api4_civicrm.update_sms_template(70, "Fresh text")
    assert (updated.title, updated.text, updated.is_active) == (
        "SMS old promo (disabled)", "Fresh text", True)
