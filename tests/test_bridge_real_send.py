"""CiviCRM's own send paths through the bridge, on a real CiviCRM (``CIVISMS_REAL_SITE``;
skipped without it): an individual SMS reaches the gateway once per recipient with
CiviCRM's and civisms' activities; civisms down or a bad token is a clear error and no
false success; a mass SMS made as the wizard makes it is sent by ``Job.civisms_send``."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
from real_civicrm import RealSite, real_site
from real_civisms import (
    Running,
    civisms_on,
    drop_test_data,
    mailing_report,
    make_group,
    make_mailing,
)

SEND = r"""
$contacts = json_decode('%(contacts)s', TRUE);
[$sent, $activity, $success] = CRM_Activity_BAO_Activity::sendSMS($details, $params, $provider,
  $contacts, 2);
$targets = civicrm_api4('ActivityContact', 'get', ['checkPermissions' => FALSE,
  'select' => ['contact_id'], 'where' => [['activity_id', '=', $activity],
  ['record_type_id:name', '=', 'Activity Targets']]])->column('contact_id');
echo json_encode(['sent' => $sent, 'activity' => $activity, 'success' => $success,
  'targets' => $targets]);
"""


#: Last names of the contacts this module made, deleted when it ends.
MADE: list[str] = []


def make_contacts(site: RealSite, count: int, tag: str) -> list[tuple[int, str]]:
    """``count`` Individuals with a primary mobile each: (id, number)."""
    tag = f"{tag}{secrets.token_hex(3)}"
    MADE.append(tag)
    base = secrets.randbelow(9000)
    made = []
    for i in range(count):
        number = f"+1415{200 + i % 700:03d}{(base + i) % 10000:04d}"
        contact = site.api4("Contact", "create", {"values": {
            "contact_type": "Individual", "first_name": f"Bridge{i}", "last_name": tag}})[0]
        site.api4("Phone", "create", {"values": {
            "contact_id": contact["id"], "phone": number, "phone_type_id:name": "Mobile",
            "location_type_id": 1, "is_primary": True}})
        made.append((contact["id"], number))
    return made


def send(running: Running, contacts: list[int], text: str) -> dict[str, Any]:
    code = (SEND.replace("%(contacts)s", str(contacts))
            .replace("$details, $params, $provider", "$details, $params, $provider"))
    code = ("$details = NULL;\n$params = ['sms_text_message' => " + repr(text).replace('"', "'")
            + ", 'activity_subject' => 'bridge test'];\n$provider = ['provider_id' => "
            + str(running.bridge_row) + "];\n" + code)
    return running.site.php(code)  # type: ignore[no-any-return]


def deliveries(site: RealSite, since_id: int) -> list[dict[str, Any]]:
    return site.api4("Activity", "get", {
        "select": ["id", "result", "details", "source_contact_id", "target_contact_id"],
        "where": [["activity_type_id:name", "=", "SMS delivery"], ["id", ">", since_id]]})


def last_activity(site: RealSite) -> int:
    rows = site.api4("Activity", "get", {"select": ["id"], "orderBy": {"id": "DESC"},
                                         "limit": 1})
    return int(rows[0]["id"]) if rows else 0


def wait_for(check: Any, seconds: float = 30.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    return check()


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    site = real_site()
    if site.bridge_status() in ("installed", "disabled"):
        pytest.skip("the bridge is already installed on the real site (another run?)")
    try:
        with civisms_on(site, tmp_path_factory.mktemp("bridge")) as found:
            yield found
    finally:
        for tag in MADE:
            drop_test_data(site, tag, [])


def test_an_individual_sms_reaches_the_gateway_once_per_recipient(running: Running) -> None:
    site = running.site
    people = make_contacts(site, 3, "Individual")
    before = last_activity(site)
    result = send(running, [cid for cid, _ in people], "Hi {contact.first_name}, bridge here")
    assert result["sent"] is True and result["success"] == 3
    assert sorted(result["targets"]) == sorted(cid for cid, _ in people)
    numbers = {number for _, number in people}
    sent = wait_for(lambda: [m for m in running.sent() if m["to"] in numbers]
                    if len([m for m in running.sent() if m["to"] in numbers]) >= 3 else None)
    time.sleep(1.5)  # anything sent twice would show now
    sent = [m for m in running.sent() if m["to"] in numbers]
    assert sorted(m["to"] for m in sent) == sorted(numbers)
    assert {m["text"] for m in sent} == {f"Hi Bridge{i}, bridge here" for i in range(3)}
    found = wait_for(lambda: d if len(d := deliveries(site, before)) >= 3 else None)
    assert sorted(d["result"] for d in found) == sorted(m["id"] for m in sent)
    assert {d["source_contact_id"] for d in found} == {2}
    assert sorted(d["target_contact_id"][0] for d in found) == sorted(c for c, _ in people)


def test_a_bad_token_is_a_clear_error_and_nothing_is_sent(running: Running) -> None:
    # civisms checks the token against the row CiviCRM reads it from, so a wrong token
    # is a provider holding a stale or forged one: the provider class with another password.
    site = running.site
    people = make_contacts(site, 1, "BadToken")
    answer = site.php(f"""
CRM_SMS_Provider::singleton(["provider_id" => {running.bridge_row}]);  // loads the class
$row = CRM_SMS_BAO_SmsProvider::getProviderInfo({running.bridge_row});
$provider = new org_civisms_bridge(['password' => 'not-the-token'] + $row);
try {{
  $provider->send('{people[0][1]}', ['contact_id' => {people[0][0]}], 'must not go', NULL, 2);
  echo json_encode('sent');
}}
catch (CRM_Core_Exception $e) {{
  echo json_encode($e->getMessage());
}}
""")
    assert "HTTP 401" in answer and "invalid token" in answer and "not-the-token" not in answer
    time.sleep(1.0)
    assert not [m for m in running.sent() if m["to"] == people[0][1]]


def test_civisms_down_is_a_clear_error_and_no_false_success(running: Running) -> None:
    people = make_contacts(running.site, 2, "Down")
    running.stop()
    try:
        result = send(running, [cid for cid, _ in people], "civisms is down")
    finally:
        running.start()
    assert result["success"] == 0 and result["targets"] == []
    assert len(result["sent"]) == 2
    assert all("civisms: no answer from" in e and "civisms serve running" in e
               for e in result["sent"])
    time.sleep(1.0)
    assert not [m for m in running.sent() if m["to"] in {n for _, n in people}]


def test_a_mass_sms_made_as_the_wizard_does_is_sent_by_the_scheduled_job(
    running: Running,
) -> None:
    site = running.site
    tag = f"Mass{secrets.token_hex(3)}"
    group = make_group(site, 25, tag)
    mailing = make_mailing(site, f"bridge mass {tag}", "Hi {contact.first_name}!",
                           running.bridge_row, group)
    try:
        # The scheduled job as cron runs it: through CiviCRM's job manager, which logs.
        log = site.php("""
(new CRM_Core_JobManager())->executeJobByAction('Job', 'civisms_send');
echo json_encode(CRM_Core_DAO::singleValueQuery("SELECT description FROM civicrm_job_log
  WHERE command LIKE '%civisms_send%' ORDER BY id DESC LIMIT 1"));
""")
        assert "Finished execution of Send Scheduled SMS with civisms with result: Success" in log
        assert "civisms sent 25" in log
        report = mailing_report(site, mailing)
        assert report["recipients"] == report["delivered"] == report["queue"] == 25
        assert set(report["jobs"]) == {"Complete"}
        numbers = [m["to"] for m in running.sent() if m["text"].startswith("Hi B")
                   and m["text"].endswith("!")]
        mine = site.api4("Phone", "get", {"select": ["phone"],
                                         "where": [["contact_id.last_name", "=", tag]]})
        assert sorted(n for n in numbers if n in {p["phone"] for p in mine}) == sorted(
            p["phone"] for p in mine)
        # Run again (cron every minute): nothing more is sent.
        again = site.php("echo json_encode(civicrm_api3('Job', 'civisms_send', [])['values']);")
        assert again[0]["total"]["sent"] == 0
    finally:
        drop_test_data(site, tag, [mailing])


def test_civisms_reaches_the_inbound_hook_action_over_rest(
    running: Running, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What civisms does before recording a reply on a site with the bridge: API v3
    # Civisms.inbound over REST with the site's API key. No hook decides here: both None.
    from civisms.bridge import inbound
    from civisms.civicrm.db import DbCiviCRM
    from civisms.config import Settings

    env = running.site.env
    settings = Settings(backend="db", db_url=env["CIVI_DB_URL"], api_url=env["CIVI_URL"],
                        api_key=env["CIVI_API_KEY"])
    civicrm = DbCiviCRM.from_settings(settings)
    try:
        monkeypatch.setattr(inbound, "_state", inbound._State())
        answer = inbound.fire_hook(civicrm, settings, "+14155550177", "hello", None, "SMx1")
    finally:
        civicrm.close()
    assert answer == inbound.HookAnswer(None, None)
