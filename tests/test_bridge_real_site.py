"""The bridge extension inside a real CiviCRM (``CIVISMS_REAL_SITE``; skipped without it):
install, disable, enable and uninstall leave CiviCRM as they found it, and replies fire
``hook_civicrm_inboundSMS``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from real_civicrm import RealSite, real_site

from civisms.bridge.build import build

STATE = r"""
$jobs = civicrm_api4('Job', 'get', ['checkPermissions' => FALSE,
  'select' => ['name', 'api_action', 'is_active'],
  'where' => [['api_action', 'IN', ['process_sms', 'civisms_send']]]])->getArrayCopy();
$names = civicrm_api4('OptionValue', 'get', ['checkPermissions' => FALSE,
  'select' => ['label', 'value', 'is_active'],
  'where' => [['option_group_id:name', '=', 'sms_provider_name']],
  'orderBy' => ['id' => 'ASC']])->getArrayCopy();
$rows = civicrm_api4('SmsProvider', 'get', ['checkPermissions' => FALSE,
  'select' => ['id', 'name', 'is_active'], 'orderBy' => ['id' => 'ASC']])->getArrayCopy();
echo json_encode(['jobs' => $jobs, 'names' => $names, 'rows' => $rows]);
"""


def core_job(site: RealSite, active: bool) -> None:
    site.php("civicrm_api4('Job', 'update', ['checkPermissions' => FALSE, 'where' => "
             "[['api_action', '=', 'process_sms']], 'values' => ['is_active' => "
             f"{'TRUE' if active else 'FALSE'}]]); echo json_encode(TRUE);")


def jobs(state: dict) -> dict[str, bool]:
    return {j["api_action"]: j["is_active"] for j in state["jobs"]}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[RealSite]:
    """The real site with the bridge uninstalled before and after the test."""
    found = real_site()
    if found.bridge_status() in ("installed", "disabled"):
        if found.bridge_status() == "installed":
            found.extension("disable")
        found.extension("uninstall")
    before = found.php(STATE)
    yield found
    if found.bridge_status() == "installed":
        found.extension("disable")
    if found.bridge_status() == "disabled":
        found.extension("uninstall")
    core_job(found, jobs(before)["process_sms"])


@pytest.mark.parametrize("core_was_active", [True, False])
def test_install_disable_enable_uninstall_leave_civicrm_as_it_was(
    site: RealSite, tmp_path: Path, core_was_active: bool,
) -> None:
    core_job(site, core_was_active)
    before = site.php(STATE)
    zip_path, _ = build(tmp_path)
    site.install_bridge(zip_path)
    installed = site.php(STATE)
    assert jobs(installed) == {"process_sms": False, "civisms_send": True}
    assert [n for n in installed["names"] if n["value"] == "org.civisms.bridge"] == [
        {"id": n["id"], "label": "civisms", "value": "org.civisms.bridge", "is_active": True}
        for n in installed["names"] if n["value"] == "org.civisms.bridge"
    ]
    row = site.php("""
echo json_encode(civicrm_api4('SmsProvider', 'create', ['checkPermissions' => FALSE, 'values' => [
  'name' => 'org.civisms.bridge', 'title' => 'civisms lifecycle test', 'username' => 'civisms',
  'password' => 'token', 'api_type' => 1, 'api_url' => 'http://127.0.0.1:9',
  'api_params' => 'civisms_via=1', 'is_active' => TRUE]])->first()['id']);
""")
    site.extension("disable")
    disabled = site.php(STATE)
    assert jobs(disabled) == {"process_sms": core_was_active, "civisms_send": False}
    assert {r["id"]: r["is_active"] for r in disabled["rows"]}[row] is False
    assert [n["is_active"] for n in disabled["names"] if n["value"] == "org.civisms.bridge"] \
        == [False]

    site.extension("enable")
    enabled = site.php(STATE)
    assert jobs(enabled) == {"process_sms": False, "civisms_send": True}
    assert {r["id"]: r["is_active"] for r in enabled["rows"]}[row] is True

    site.extension("disable")
    site.extension("uninstall")
    assert site.bridge_status() == "uninstalled"
    assert site.php(STATE) == before


def test_a_row_a_mailing_uses_survives_uninstall(site: RealSite, tmp_path: Path) -> None:
    zip_path, _ = build(tmp_path)
    site.install_bridge(zip_path)
    row = site.api4("SmsProvider", "create", {"values": {
        "name": "org.civisms.bridge", "title": "civisms kept row", "username": "civisms",
        "password": "token", "api_type": 1, "api_url": "http://127.0.0.1:9",
        "api_params": "civisms_via=1", "is_active": True}})[0]["id"]
    mailing = site.api4("Mailing", "create", {"values": {
        "name": "bridge uninstall test", "subject": "x", "body_text": "x",
        "sms_provider_id": row}})[0]["id"]
    site.extension("disable")
    site.extension("uninstall")
    try:
        kept = site.api4("SmsProvider", "get", {"where": [["id", "=", row]]})
        assert [r["is_active"] for r in kept] == [False]
        used = site.api4("Mailing", "get", {"where": [["id", "=", mailing]]})
        assert used[0]["sms_provider_id"] == row  # still an SMS mailing
    finally:
        site.api4("Mailing", "delete", {"where": [["id", "=", mailing]]})
        site.api4("SmsProvider", "delete", {"where": [["id", "=", row]]})


def test_inbound_action_fires_the_hook_and_returns_what_it_set(
    site: RealSite, tmp_path: Path,
) -> None:
    zip_path, _ = build(tmp_path)
    site.install_bridge(zip_path)
    answer = site.php("""
$seen = [];
Civi::dispatcher()->addListener('hook_civicrm_inboundSMS', function ($event) use (&$seen) {
  $seen[] = [$event->message->from, $event->message->body, $event->message->trackID];
  $event->message->fromContactID = 2;
});
$result = civicrm_api3('Civisms', 'inbound', ['from' => '+15551230009', 'body' => 'STOP please',
  'to' => '+15550000000', 'track_id' => 'SM123']);
echo json_encode(['seen' => $seen, 'values' => $result['values']]);
""")
    assert answer["seen"] == [["+15551230009", "STOP please", "SM123"]]
    assert answer["values"] == [{
        "from": "+15551230009", "to": "+15550000000", "body": "STOP please",
        "track_id": "SM123", "from_contact_id": 2, "to_contact_id": None,
    }]
