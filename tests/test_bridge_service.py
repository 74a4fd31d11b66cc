"""The service's bridge routes, as CiviCRM's extension calls them: ``POST /v1/messages``
journals one message, answers at once, and the worker sends it once through the bridge
row's gateway row, recording the SMS delivery activity; bad tokens and bad input change
nothing. ``POST /v1/jobs/run`` sends a mass SMS made for the bridge row."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from mailing_factory import schedule_mailing
from service_helpers import Served, activities_of_type, add_provider, contacts_of, serve

if TYPE_CHECKING:
    from conftest import SiteDb

LOCAL = 2  # the sample site's "Local outbox" row: the gateway the bridge row sends through
TOKEN = "bridge-token-0123456789abcdef"
ALICE = 3  # a sample contact


@pytest.fixture(params=["db", "api4"])
def served(request: pytest.FixtureRequest, site: SiteDb, tmp_path: Path) -> Iterator[Served]:
    if request.param == "api4":
        request.getfixturevalue("api4_site")
    with serve(site, request.param, tmp_path) as running:
        yield running


def bridge_row(site: SiteDb, via: str = f"civisms_via={LOCAL}", token: str = TOKEN) -> int:
    return add_provider(site, "org.civisms.bridge", username="civisms", password=token,
                        api_params=via, api_url="http://127.0.0.1:8080")


def post(served: Served, body: dict[str, Any], token: str | None = TOKEN) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return served.client.post("/v1/messages", json=body, headers=headers)


def outbox(served: Served) -> list[dict[str, Any]]:
    path = served.settings.outbox
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def wait_for(check: Any, seconds: float = 15.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def message(row: int, **extra: Any) -> dict[str, Any]:
    return {"to": "+14155550142", "text": "Hi Alice, see you Saturday", "contact_id": ALICE,
            "source_contact_id": 2, "provider_id": row, "via": str(LOCAL), **extra}


def test_a_message_is_accepted_at_once_and_sent_once_with_its_delivery_activity(
    served: Served,
) -> None:
    row = bridge_row(served.site)
    started = time.perf_counter()
    answer = post(served, message(row))
    assert answer.status_code == 202, answer.text
    assert time.perf_counter() - started < 2.0
    body = answer.json()
    assert body["status"] == "pending" and body["via"] == LOCAL and body["id"].isdigit()
    sent = wait_for(lambda: [m for m in outbox(served) if m.get("to") == "+14155550142"])
    deliveries = wait_for(lambda: [a for a in activities_of_type(served.site, "SMS delivery")
                                   if a["details"] == "Hi Alice, see you Saturday"])
    time.sleep(1.0)  # the worker keeps polling: nothing is sent a second time
    assert len([m for m in outbox(served) if m.get("to") == "+14155550142"]) == 1
    assert len(sent) == 1 and len(deliveries) == 1
    assert deliveries[0]["result"] == sent[0]["id"]
    assert contacts_of(served.site, deliveries[0]["id"], "Activity Targets") == [ALICE]
    assert contacts_of(served.site, deliveries[0]["id"], "Activity Source") == [2]


@pytest.mark.parametrize("token", [None, "wrong-token", TOKEN[:-1]])
def test_a_bad_token_is_401_and_nothing_is_sent(served: Served, token: str | None) -> None:
    row = bridge_row(served.site)
    answer = post(served, message(row), token=token)
    assert answer.status_code == 401
    assert "token" in answer.json()["detail"]
    time.sleep(1.0)
    assert outbox(served) == []


def test_an_inactive_bridge_rows_token_is_refused(served: Served) -> None:
    row = bridge_row(served.site)
    served.site.execute("UPDATE civicrm_sms_provider SET is_active = 0 WHERE id = %s", [row])
    assert post(served, message(row)).status_code == 401


@pytest.mark.parametrize(("body", "said"), [
    ({"to": "", "contact_id": ALICE, "text": "x"}, '["body", "to"]'),
    ({"to": "+14155550142", "contact_id": "abc", "text": "x"}, '["body", "contact_id"]'),
    ({"to": "+14155550142", "contact_id": ALICE}, '["body", "text"]'),
    ({"to": "not a number", "contact_id": ALICE, "text": "x"}, "not a valid phone number"),
])
def test_bad_input_is_422_naming_what_is_wrong(served: Served, body: dict, said: str) -> None:
    bridge_row(served.site)
    answer = post(served, body)
    assert answer.status_code == 422, answer.text
    assert said in json.dumps(answer.json())


def test_a_bridge_row_without_via_is_409_with_the_fix(served: Served) -> None:
    row = bridge_row(served.site, via="")
    answer = post(served, message(row))
    assert answer.status_code == 409
    assert "civisms sync providers --via ROW" in answer.json()["detail"]


def test_a_token_for_another_row_is_refused(served: Served) -> None:
    row = bridge_row(served.site)
    other = bridge_row(served.site, token="another-token-for-another-row")
    answer = post(served, message(other))
    assert answer.status_code == 409 and str(row) in answer.json()["detail"]


def test_jobs_run_sends_a_mass_sms_made_for_the_bridge_row(site: SiteDb, tmp_path: Path) -> None:
    with serve(site, "db", tmp_path) as served:
        row = bridge_row(site)
        mailing = schedule_mailing(site, provider_id=row)
        expected = site.scalar("SELECT COUNT(*) FROM civicrm_mailing_recipients "
                               "WHERE mailing_id = %s", [mailing])
        assert served.client.post("/v1/jobs/run", json={},
                                  headers={"Authorization": "Bearer nope"}).status_code == 401
        answer = served.client.post("/v1/jobs/run", json={"provider_ids": [row]},
                                    headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 200, answer.text
        summary = answer.json()
        assert summary["total"]["sent"] == expected > 0
        assert mailing in summary["completed"]
        assert "civisms sent" in summary["summary"]
        again = served.client.post("/v1/jobs/run", json={},
                                   headers={"Authorization": f"Bearer {TOKEN}"}).json()
        assert again["total"]["sent"] == 0
    assert len(outbox(served)) == expected
    assert site.scalar("SELECT COUNT(*) FROM civicrm_mailing_event_delivered d JOIN "
                       "civicrm_mailing_event_queue q ON q.id = d.event_queue_id JOIN "
                       "civicrm_mailing_job j ON j.id = q.job_id WHERE j.mailing_id = %s",
                       [mailing]) == expected
