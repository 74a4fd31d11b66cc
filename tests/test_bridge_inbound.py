"""Replies on a site with the bridge enabled: civisms asks CiviCRM to fire
``hook_civicrm_inboundSMS`` (API v3 ``Civisms.inbound`` over REST) and files the reply on the
contact a hook chose; when CiviCRM cannot be asked, the reply is recorded all the same."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import pytest
import requests
import responses
from service_helpers import Served, activities_of_type, contacts_of, serve

from civisms.bridge import inbound

if TYPE_CHECKING:
    from conftest import SiteDb

LOCAL = 2
CIVICRM = "https://civicrm.bridge.test"
REST = f"{CIVICRM}/civicrm/ajax/rest"
HELENE, CARLA = 9, 5  # +33612345678 is Hélène's mobile


@pytest.fixture
def served(site: SiteDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setattr(inbound, "_state", inbound._State())  # no cached bridge state
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked, \
            serve(site, "db", tmp_path, api_url=CIVICRM, api_key="k3y") as running:
        running.mocked = mocked  # type: ignore[attr-defined]
        yield running


def enable_bridge(site: SiteDb) -> None:
    # The schema subset has no civicrm_extension table; a real site always does.
    site.execute("CREATE TABLE IF NOT EXISTS civicrm_extension (id INT UNSIGNED NOT NULL "
                 "AUTO_INCREMENT PRIMARY KEY, type VARCHAR(8) NOT NULL, full_name VARCHAR(255) "
                 "NOT NULL, name VARCHAR(255), label VARCHAR(255), file VARCHAR(255), "
                 "schema_version VARCHAR(63), is_active TINYINT DEFAULT 1)")
    site.execute("INSERT INTO civicrm_extension (type, full_name, file, is_active) "
                 "VALUES ('module', 'org.civisms.bridge', 'bridge', 1)")


def reply(served: Served, sender: str, text: str, message_id: str) -> None:
    answer = served.client.post(f"/webhooks/{LOCAL}/inbound", json={
        "type": "inbound", "id": message_id, "from": sender, "text": text,
        "to": "+15550002000"})
    assert answer.status_code == 200, answer.text


def targets_of_last_reply(site: SiteDb) -> list[int]:
    return contacts_of(site, activities_of_type(site, "Inbound SMS")[-1]["id"], "Activity Targets")


def test_a_hook_that_names_the_texter_is_honoured(served: Served) -> None:
    enable_bridge(served.site)
    served.mocked.post(REST, json={  # type: ignore[attr-defined]
        "is_error": 0, "values": [{"from": "+33612345678", "from_contact_id": CARLA,
                                   "to_contact_id": None}]})
    reply(served, "+33612345678", "C'est Carla, sur le portable d'Hélène", "in-h1")
    assert targets_of_last_reply(served.site) == [CARLA]
    (call,) = served.mocked.calls  # type: ignore[attr-defined]
    sent = parse_qs(call.request.body)
    assert (sent["entity"], sent["action"]) == (["Civisms"], ["inbound"])
    assert json.loads(sent["json"][0]) == {
        "from": "+33612345678", "body": "C'est Carla, sur le portable d'Hélène",
        "to": "+15550002000", "track_id": "in-h1"}
    assert call.request.headers["X-Civi-Auth"] == "Bearer k3y"


def test_a_hook_that_decides_nothing_leaves_civisms_match(served: Served) -> None:
    enable_bridge(served.site)
    served.mocked.post(REST, json={"is_error": 0, "values": [{"from_contact_id": None}]})  # type: ignore[attr-defined]
    reply(served, "+33612345678", "Merci", "in-h2")
    assert targets_of_last_reply(served.site) == [HELENE]


@pytest.mark.parametrize("failure", [
    {"json": {"is_error": 1, "error_message": "API (Civisms, inbound) does not exist"}},
    {"body": requests.ConnectionError("refused")},
    {"body": "<html>login</html>", "status": 200},
])
def test_civicrm_unable_to_fire_the_hook_still_records_the_reply(
    served: Served, failure: dict,
) -> None:
    enable_bridge(served.site)
    served.mocked.post(REST, **failure)  # type: ignore[attr-defined]
    reply(served, "+33612345678", "Merci", "in-h3")
    assert targets_of_last_reply(served.site) == [HELENE]


def test_without_the_bridge_civicrm_is_not_asked(served: Served) -> None:
    reply(served, "+33612345678", "Merci", "in-h4")
    assert targets_of_last_reply(served.site) == [HELENE]
    assert len(served.mocked.calls) == 0  # type: ignore[attr-defined]
