"""The ``api4`` backend against recorded CiviCRM 6.17.2 exchanges (fixtures/api4/).

Requests are checked against the recorded ones (headers, the ``params`` form field);
"derived" answers are COMPAT-documented shapes that were not recorded.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import datetime

import pytest
import requests
import responses
from api4_recordings import BASE_URL, Recordings, decode_params, derived, load

from civisms.civicrm.api4 import SAVE_CHUNK, Api4CiviCRM, _unsupported
from civisms.civicrm.api4_client import Api4Client
from civisms.config import Settings
from civisms.errors import (
    CiviCRMAPIError,
    CiviCRMAuthError,
    CiviCRMError,
    CiviCRMNotFound,
    CiviCRMPermissionDenied,
    CiviCRMUnreachable,
    InputError,
    NotSupportedByBackend,
)
from civisms.model import Activity, MessageTemplate

API_KEY = "k3y-SECRET-api-0123456789"
SITE_KEY = "s1te-SECRET-key-9876543210"


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def rec(rsps: responses.RequestsMock) -> Recordings:
    return Recordings(rsps, api_key=API_KEY)


def backend(url: str = BASE_URL, *, key: str = API_KEY, site_key: str | None = None,
            timeout: float = 30.0) -> Api4CiviCRM:
    return Api4CiviCRM(Api4Client(url, key, site_key=site_key, timeout=timeout))


def _option_group(params: dict) -> str:
    return params["where"][0][2]


# -- transport -----------------------------------------------------------------------------


def test_headers_and_params_form_field_are_the_recorded_ones(rec: Recordings) -> None:
    rec.add("OptionValue.get.phone_type")
    civi = backend()
    assert civi.option_values("phone_type")["Mobile"] == 2
    sent = rec.calls[0]
    assert sent.headers["X-Civi-Auth"] == f"Bearer {API_KEY}"
    assert sent.headers["X-Requested-With"] == "XMLHttpRequest"
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "X-Civi-Key" not in sent.headers
    rec.assert_all_used()


def test_site_key_header_only_when_set(rsps: responses.RequestsMock) -> None:
    rec = Recordings(rsps, api_key=API_KEY, site_key=SITE_KEY)
    rec.add("OptionValue.get.phone_type")
    backend(site_key=SITE_KEY).option_values("phone_type")
    assert rec.calls[0].headers["X-Civi-Key"] == SITE_KEY


def test_from_settings_uses_url_key_site_key_timeout_and_domain() -> None:
    settings = Settings(backend="api4", api_url="https://example.org/", api_key=API_KEY,
                        site_key=SITE_KEY, api_timeout=7, domain_id=2)
    civi = Api4CiviCRM.from_settings(settings)
    assert civi.api.timeout == 7 and civi.domain_id == 2
    assert civi.api.session.headers["X-Civi-Key"] == SITE_KEY
    assert civi.api.session.headers["X-Civi-Auth"] == f"Bearer {API_KEY}"
    civi.close()


def test_paging_walks_limit_offset_until_a_short_page(rec: Recordings) -> None:
    for offset in (0, 4, 8):
        rec.add(f"Contact.get.page_limit4_offset{offset}")
    # Derived: the page after the last full one is empty (12 contacts on the site).
    params = {**load("Contact.get.page_limit4_offset8")["request"]["params"], "offset": 12}
    body = {**load("Contact.get.page_limit4_offset8")["response"]["body"],
            "values": [], "count": 0, "countFetched": 0}
    rec.add("offset12", recording=derived("Contact.get.page_limit4_offset8", body=body,
                                          params=params))
    rows = backend().api.get_all(
        "Contact", {"select": ["id", "display_name"], "orderBy": {"id": "ASC"}}, page_size=4
    )
    assert [r["id"] for r in rows] == list(range(1, 13))
    assert [c.params["offset"] for c in rec.calls] == [0, 4, 8, 12]
    rec.assert_all_used()


def test_paging_stops_at_a_short_first_page(rec: Recordings) -> None:
    rec.add("page", strict=False, recording=load("Contact.get.page_limit4_offset8"))
    rows = backend().api.get_all("Contact", {"select": ["id"], "orderBy": {"id": "ASC"}},
                                 page_size=5)
    assert len(rows) == 4 and len(rec.calls) == 1


def test_works_through_a_wordpress_url(rsps: responses.RequestsMock) -> None:
    url = "https://wp.example/wp-admin/admin.php?page=CiviCRM&q=civicrm%2Fajax%2Fapi4"
    rec = Recordings(rsps, api_key=API_KEY, base_url=url)
    rec.add("OptionValue.get.phone_type")
    assert backend(url).option_labels("phone_type")["2"] == "Mobile"


# -- errors --------------------------------------------------------------------------------


def test_401_wrong_key(rsps: responses.RequestsMock) -> None:
    rec = Recordings(rsps, api_key="wrong-key-123")
    rec.add("Contact.get.error_wrong_api_key")
    with pytest.raises(CiviCRMAuthError) as err:
        backend(key="wrong-key-123").api.call("Contact", "get", {"limit": 1})
    assert "Invalid credential" in str(err.value) and "CIVISMS_API_KEY" in str(err.value)
    assert "wrong-key-123" not in str(err.value)


def test_401_guard_explains_the_permission(rec: Recordings) -> None:
    # Derived: the body README.md quotes for a valid key lacking 'authenticate with api key'.
    rec.add("guard", recording=derived(
        "Contact.get.error_wrong_api_key",
        body="HTTP 401 Login not permitted. Must satisfy guard (site_key, perm).",
    ))
    with pytest.raises(CiviCRMAuthError) as err:
        backend().api.call("Contact", "get", {"limit": 1})
    assert "'authenticate with api key'" in str(err.value)
    assert "CIVISMS_SITE_KEY" in str(err.value)


@pytest.mark.parametrize(("name", "needs"), [
    ("SmsProvider.create.error_permission_denied", "administer CiviCRM"),
    ("Activity.create.error_permission_denied", "view all activities"),
    ("MessageTemplate.create.error_permission_denied", "edit message templates"),
])
def test_403_names_entity_action_and_permission(rsps: responses.RequestsMock, name: str,
                                                needs: str) -> None:
    recording = Recordings(rsps, api_key="limited-key").add(name)
    entity, action = recording["request"]["path"].split("/")[-2:]
    with pytest.raises(CiviCRMPermissionDenied) as err:
        backend(key="limited-key").api.call(entity, action, recording["request"]["params"])
    message = str(err.value)
    assert f"{entity}.{action}" in message and needs in message and "Error ID " in message


@pytest.mark.parametrize(("name", "says"), [
    ("NoSuchEntity.get.error_unknown_entity", "API (NoSuchEntity, get) does not exist"),
    ("Contact.frobnicate.error_unknown_action", "Api Contact frobnicate version 4 does not"),
    ("Contact.get.error_invalid_where_field", "Invalid field 'no_such_field'"),
])
def test_500_carries_the_error_message(rec: Recordings, name: str, says: str) -> None:
    recording = rec.add(name)
    entity, action = recording["request"]["path"].split("/")[-2:]
    with pytest.raises(CiviCRMAPIError) as err:
        backend().api.call(entity, action, recording["request"]["params"])
    assert says in str(err.value) and "\n" not in str(err.value)


def _generic(status: int) -> dict:
    return {"error_code": "1", "status": status, "error_message": "Sorry an error occurred and "
            "your request was not completed. (Error ID: AbC1-dEf2-GhI3)"}


@pytest.mark.parametrize(("status", "body", "error", "says"), [
    (500, _generic(500), CiviCRMAPIError, "Error ID AbC1-dEf2-GhI3"),
    (400, {"error_code": 400, "error_message": "SECURITY ALERT: Ajax requests can only be "
           "issued by javascript clients, eg. CRM.api4()."}, CiviCRMAPIError, "X-Requested-With"),
    (405, {"error_code": 405, "error_message": "SECURITY: All requests that modify the database"
           " must be http POST, not GET."}, CiviCRMAPIError, "GET"),
    (503, {"status_code": 503, "status_message": "Temporarily unavailable for maintenance."},
     CiviCRMUnreachable, "maintenance"),
    (200, {"error_code": 0, "error_message": "Illegal operator", "status": 500},
     CiviCRMAPIError, "Illegal operator"),  # WordPress before 6.9: errors with HTTP 200
])
def test_documented_error_shapes(rec: Recordings, status: int, body: dict,
                                 error: type[CiviCRMError], says: str) -> None:
    rec.add("derived", recording=derived("NoSuchEntity.get.error_unknown_entity",
                                         status=status, body=body))
    with pytest.raises(error) as err:
        backend().api.call("NoSuchEntity", "get", {})
    assert says in str(err.value)


def test_html_answer_suggests_the_url_forms(rec: Recordings) -> None:
    rec.add("html", recording=derived(
        "OptionValue.get.phone_type", content_type="text/html; charset=UTF-8",
        body="<!DOCTYPE html><html><body><form id='user-login'>Log in</form></body></html>",
    ))
    with pytest.raises(CiviCRMAPIError) as err:
        backend().option_values("phone_type")
    message = str(err.value)
    assert "text/html" in message and "CIVISMS_API_URL" in message and "wp-admin" in message


def test_redirect_is_refused_not_followed(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.POST, f"{BASE_URL}/civicrm/ajax/api4/Contact/get", status=301,
             headers={"Location": "https://www.civicrm.test/civicrm/ajax/api4/Contact/get"})
    with pytest.raises(CiviCRMAPIError) as err:
        backend().api.call("Contact", "get", {})
    assert "www.civicrm.test" in str(err.value) and len(rsps.calls) == 1


def test_timeout_names_the_host(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.POST, f"{BASE_URL}/civicrm/ajax/api4/Contact/get",
             body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(CiviCRMUnreachable) as err:
        backend(timeout=2).api.call("Contact", "get", {})
    assert "civicrm.test" in str(err.value) and "2 s" in str(err.value)


def test_connection_refused_names_the_host() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    civi = backend(f"http://user:{API_KEY}@127.0.0.1:{port}", timeout=3)
    with pytest.raises(CiviCRMUnreachable) as err:
        civi.api.call("Contact", "get", {})
    assert f"127.0.0.1:{port}" in str(err.value) and "refused" in str(err.value)
    assert API_KEY not in str(err.value)


@pytest.mark.parametrize("answer", [
    {"status": 401, "body": f"HTTP 401 Invalid credential {API_KEY} {SITE_KEY}"},
    {"status": 403, "body": {"error_code": 0, "error_message": f"denied {API_KEY}"}},
    {"status": 500, "body": {"error_code": 0, "error_message": f"bad {SITE_KEY}"}},
    {"status": 502, "body": f"<html>{API_KEY}</html>"},
])
def test_secrets_never_appear_in_errors(rsps: responses.RequestsMock, answer: dict) -> None:
    body = answer["body"]
    rsps.add(responses.POST, f"{BASE_URL}/civicrm/ajax/api4/Contact/get", status=answer["status"],
             body=body if isinstance(body, str) else json.dumps(body),
             content_type="text/plain" if isinstance(body, str) else "application/json")
    with pytest.raises(CiviCRMError) as err:
        backend(site_key=SITE_KEY).api.call("Contact", "get", {})
    for text in (str(err.value), repr(err.value)):
        assert API_KEY not in text and SITE_KEY not in text


# -- reads ---------------------------------------------------------------------------------


def test_option_values_by_name_cached_per_process(rec: Recordings) -> None:
    rec.add("OptionValue.get.phone_type")
    civi = backend()
    assert civi.option_values("phone_type") == {
        "Phone": 1, "Mobile": 2, "Fax": 3, "Pager": 4, "Voicemail": 5,
    }
    assert civi.option_labels("phone_type") == {
        "1": "Phone", "2": "Mobile", "3": "Fax", "4": "Pager", "5": "Voicemail",
    }
    assert civi.option_value("phone_type", "Mobile") == 2
    with pytest.raises(CiviCRMNotFound, match="Pager"):
        civi.option_value("phone_type", "Satellite")
    assert len(rec.calls) == 1


def test_sms_providers_parse_api_params(rec: Recordings) -> None:
    rec.add("SmsProvider.get.after_create", strict=False)
    [provider] = backend().sms_providers()
    assert (provider.id, provider.name, provider.api_type) == (1, "org.civisms.loopback", "http")
    assert provider.api_params == {"From": "+15550001000"}
    assert provider.is_default and provider.is_active and provider.domain_id == 1
    assert "not-a-secret" not in repr(provider)
    where = rec.calls[0].params["where"]
    assert where == [["OR", [["domain_id", "=", 1], ["domain_id", "IS NULL"]]]]
    assert rec.calls[0].params["orderBy"] == {"is_default": "DESC", "id": "ASC"}


def test_sms_templates_query_and_mapping(rec: Recordings) -> None:
    rec.add("MessageTemplate.get.where_is_sms", strict=False)
    [template] = backend().sms_templates()
    assert template == MessageTemplate(68, "SMS Spring reminder", load(
        "MessageTemplate.get.where_is_sms")["response"]["body"]["values"][0]["msg_text"], True)
    where = rec.calls[0].params["where"]
    assert ["is_sms", "=", True] in where and ["workflow_name", "IS NULL"] in where
    assert ["is_active", "=", True] in where
    assert rec.calls[0].params["orderBy"] == {"msg_title": "ASC", "id": "ASC"}


def test_save_sms_template_sends_what_the_sms_form_sends(rec: Recordings) -> None:
    rec.add("MessageTemplate.save.save_as_new_like_sms_form")
    text = "Hello {contact.first_name}! Thanks for supporting {domain.name}."
    saved = backend().save_sms_template("SMS thank you (saved from form)", text)
    assert saved == MessageTemplate(69, "SMS thank you (saved from form)", text, True)
    rec.assert_all_used()


def test_update_sms_template_of_a_missing_id(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.POST, f"{BASE_URL}/civicrm/ajax/api4/MessageTemplate/update",
             json={"values": [], "entity": "MessageTemplate", "action": "update", "debug": None,
                   "version": 4, "count": 0, "countFetched": 0})
    with pytest.raises(CiviCRMNotFound):
        backend().update_sms_template(999, "x")


def test_domain_and_version(rec: Recordings) -> None:
    rec.add("Domain.get.current", strict=False)
    for entity in ("Email", "Phone"):
        rec.add(entity, strict=False, recording=derived(
            "Domain.get.current", path=f"/civicrm/ajax/api4/{entity}/get",
            body={"values": [], "entity": entity, "action": "get", "debug": None,
                  "version": 4, "count": 0, "countFetched": 0}))
    civi = backend()
    domain = civi.domain()
    assert (domain.id, domain.name, domain.version, domain.contact_id) == (
        1, "Default Domain Name", "6.17.2", 1)
    assert civi.civicrm_version() == "6.17.2"
    assert rec.calls[0].params["where"] == [["id", "=", 1]]
    assert [c.params["where"] for c in rec.calls[1:3]] == [[["contact_id", "=", 1]]] * 2


def test_group_members_include_trashed_contacts(rec: Recordings) -> None:
    rec.add("Contact.get.where_groups_field", strict=False)
    assert backend().group_contact_ids(2) == [3, 4, 5, 6, 7, 8, 9, 10, 12]
    where = rec.calls[0].params["where"]
    assert where == [["groups", "IN", [2]], ["is_deleted", "IN", [True, False]]]


def test_groups_mapping(rec: Recordings) -> None:
    rec.add("Group.get.all", strict=False)
    groups = backend().groups()
    assert [(g.id, g.name, g.group_types, g.is_smart) for g in groups] == [
        (1, "Administrators", ("Access Control",), False),
        (2, "sms_supporters", ("Mailing List",), False),
        (3, "board_members", ("Mailing List",), False),
    ]
    assert rec.calls[0].params["orderBy"] == {"title": "ASC", "id": "ASC"}


def test_campaigns_and_a_site_without_civicampaign(rec: Recordings) -> None:
    rec.add("Campaign.get.all", strict=False)
    [campaign] = backend().campaigns()
    assert (campaign.id, campaign.name, campaign.title) == (
        1, "spring_sms_drive_2026", "Spring SMS Drive 2026")


def test_campaigns_when_the_entity_does_not_exist(rec: Recordings) -> None:
    rec.add("no campaign", strict=False, recording=derived(
        "NoSuchEntity.get.error_unknown_entity", path="/civicrm/ajax/api4/Campaign/get",
        body={"error_code": 0, "status": 500, "error_message": "API (Campaign, get) does not "
              "exist (or the extension it belongs to is not enabled)."}))
    assert backend().campaigns() == []


def test_unknown_contact_field_is_refused_like_the_db_backend(rec: Recordings) -> None:
    rec.add("Contact.get.invalid_select_field_ignored", strict=False)
    with pytest.raises(InputError, match="contact_type"):
        backend().contacts([11], ["no_such_field"])


def test_contacts_chunk_long_id_lists(rsps: responses.RequestsMock) -> None:
    sent: list[tuple[str, dict]] = []

    def answer(request: requests.PreparedRequest) -> tuple[int, dict, str]:
        entity = request.url.rsplit("/", 2)[-2]
        params = decode_params(request)
        sent.append((entity, params))
        rows = []
        if entity == "Contact":
            rows = [{"id": i, "contact_type": "Individual", "display_name": f"C{i}",
                     "do_not_sms": False, "is_opt_out": False, "is_deceased": False,
                     "is_deleted": False} for i in params["where"][0][2]]
        return 200, {}, json.dumps({"values": rows})

    for entity in ("Contact", "Phone", "Email"):
        rsps.add_callback(responses.POST, f"{BASE_URL}/civicrm/ajax/api4/{entity}/get",
                          callback=answer)
    contacts = backend().contacts(range(1200, 0, -1))
    assert [c.id for c in contacts] == list(range(1, 1201))
    assert [e for e, _ in sent] == ["Contact", "Phone", "Email"] * 3
    assert sent[0][1]["where"][1] == ["is_deleted", "IN", [True, False]]
    assert sent[1][1]["orderBy"] == {"contact_id": "ASC", "is_primary": "DESC", "id": "ASC"}


# -- writes --------------------------------------------------------------------------------


def _serve_activity_options(rec: Recordings) -> None:
    # Same rows, asked in the shape of OptionValue.get.phone_type.
    rec.add("OptionValue.get.activity_type_sms", strict=False,
            when=lambda p: _option_group(p) == "activity_type")
    rec.add("OptionValue.get.activity_status", strict=False,
            when=lambda p: _option_group(p) == "activity_status")


def test_create_activity_sends_the_recorded_request(rec: Recordings) -> None:
    _serve_activity_options(rec)
    rec.add("Activity.create.sms_with_targets")
    activity = Activity(
        activity_type="SMS", source_contact_id=2, targets=(3, 9, 3),
        subject="Spring drive reminder", details="Hi, the Spring drive starts Saturday.",
        phone_number="+1 415-555-0101", campaign_id=1,
        activity_date_time=datetime(2026, 11, 26, 9, 30),
    )
    assert backend().create_activity(activity) == 1
    rec.assert_all_used()


def test_create_activity_with_an_unknown_type_fails_before_writing(rec: Recordings) -> None:
    _serve_activity_options(rec)
    with pytest.raises(CiviCRMNotFound, match="No Such Type"):
        backend().create_activity(Activity(activity_type="No Such Type", source_contact_id=2))
    assert all(c.entity == "OptionValue" for c in rec.calls)


def test_create_activities_batches_with_save(rec: Recordings,
                                            rsps: responses.RequestsMock) -> None:
    _serve_activity_options(rec)
    batches: list[list[dict]] = []

    def answer(request: requests.PreparedRequest) -> tuple[int, dict, str]:
        records = decode_params(request)["records"]
        start = sum(len(b) for b in batches) + 1
        batches.append(records)
        return 200, {}, json.dumps({"values": [
            {"id": start + i} for i in range(len(records))]})

    rsps.add_callback(responses.POST, f"{BASE_URL}/civicrm/ajax/api4/Activity/save",
                      callback=answer)
    activities = [Activity("SMS delivery", 2, targets=(i,), result=f"m{i}")
                  for i in range(SAVE_CHUNK + 5)]
    assert backend().create_activities(activities) == list(range(1, SAVE_CHUNK + 6))
    assert [len(b) for b in batches] == [SAVE_CHUNK, 5]
    assert batches[1][0] == {"activity_type_id:name": "SMS delivery", "source_contact_id": 2,
                             "target_contact_id": [SAVE_CHUNK], "status_id:name": "Completed",
                             "result": f"m{SAVE_CHUNK}"}


def test_add_activity_targets_skips_existing_rows(rsps: responses.RequestsMock) -> None:
    saved: list[dict] = []
    rsps.add(responses.POST, f"{BASE_URL}/civicrm/ajax/api4/ActivityContact/get",
             json={"values": [{"contact_id": 3}]})

    def save(request: requests.PreparedRequest) -> tuple[int, dict, str]:
        saved.extend(decode_params(request)["records"])
        return 200, {}, json.dumps({"values": [{"id": 9}]})

    rsps.add_callback(responses.POST, f"{BASE_URL}/civicrm/ajax/api4/ActivityContact/save",
                      callback=save)
    backend().add_activity_targets(1, [3, 9, 9])
    get = decode_params(rsps.calls[0].request)
    assert get["where"] == [["activity_id", "=", 1],
                            ["record_type_id:name", "=", "Activity Targets"],
                            ["contact_id", "IN", [3, 9]]]
    assert saved == [{"activity_id": 1, "contact_id": 9, "record_type_id:name": "Activity Targets"}]


def test_unsupported_names_the_db_backend() -> None:
    with pytest.raises(NotSupportedByBackend, match="CIVISMS_BACKEND=db"):
        _unsupported("scheduling a mass SMS")
