"""Claims and writes of one child by two workers: a row is held by one of them, never both,
and a write the server rolls back as a deadlock's victim is written again."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest
from mailing_factory import schedule_mailing, use_gateway

from civisms.civicrm.db import DbCiviCRM
from civisms.civicrm.jobstore import JobStore

if TYPE_CHECKING:
    from conftest import SiteDb


def started_child(site: SiteDb, store: JobStore) -> dict[str, Any]:
    use_gateway(site, "http://127.0.0.1:9")
    schedule_mailing(site, text="Hello {contact.first_name}")
    now = datetime.now().replace(microsecond=0)
    mailer = store.mailer_settings()
    for parent in store.due_parents(mailer, now):
        store.split_parent(parent["id"], 0, now)
    (child,) = store.due_children(mailer, now)
    store.start_child(child, now)
    return store.job(child["id"]) or child


def test_rows_claimed_by_another_worker_after_the_read_are_not_returned(site: SiteDb) -> None:
    first, second = (JobStore(DbCiviCRM(site.params), name) for name in ("a:1", "b:2"))
    first.prepare()
    second.prepare()
    job = started_child(site, first)
    now = datetime.now().replace(microsecond=0)
    rows = first.db.rows
    raced: list[int] = []

    def read_then_race(sql: str, args: Any = None) -> list[dict[str, Any]]:
        # The second worker claims two rows, and commits, right after the first read them
        # as pending and before it locks them.
        found = rows(sql, args)
        if "LEFT JOIN civisms_queue_state" in sql and not raced:
            taken, _ = second.claim(job, 0, 2, now)
            raced.extend(r.queue_id for r in taken)
        return found

    first.db.rows = read_then_race  # type: ignore[method-assign]
    mine, _ = first.claim(job, 0, 10, now)
    assert len(raced) == 2
    assert {r.queue_id for r in mine}.isdisjoint(raced)
    assert len(mine) == 2  # of the four recipients
    held = {r["event_queue_id"]: r["worker"] for r in site.query(
        "SELECT event_queue_id, worker FROM civisms_queue_state")}
    assert held == {**dict.fromkeys(raced, "b:2"), **{r.queue_id: "a:1" for r in mine}}


def test_a_batch_rolled_back_as_a_deadlock_victim_is_written_again(
        site: SiteDb, monkeypatch: pytest.MonkeyPatch) -> None:
    from fake_gateway import fake_twilio
    from test_jobs import make_jobs

    from civisms.civicrm.jobrecord import Recorder
    from civisms.errors import CiviCRMConflict

    real_links = Recorder._links
    victims: list[int] = []

    def first_is_a_victim(self: Recorder, links: Any) -> None:
        # Inside the batch's transaction, after its rows and the Mass SMS activity were
        # written: the server then rolls all of it back.
        real_links(self, links)
        if self.mass_id is not None and not victims:
            victims.append(len(links))
            raise CiviCRMConflict("database error 1213: Deadlock found when trying to get lock")

    monkeypatch.setattr(Recorder, "_links", first_is_a_victim)
    jobs = make_jobs(site, monkeypatch)
    with fake_twilio() as gateway:
        use_gateway(site, gateway.url)
        schedule_mailing(site, text="Hello {contact.first_name}")
        result, data = jobs("--once")
    assert result.exit_code == 0, result.output
    assert victims and data["total"]["sent"] == 4 == len(gateway.accepted)
    assert site.scalar("SELECT COUNT(*) FROM civicrm_mailing_event_delivered") == 4
    assert site.scalar("SELECT COUNT(*) FROM civisms_queue_state WHERE state = 'sent'") == 4
    # One Mass SMS activity, with its four targets once each.
    assert site.scalar("SELECT COUNT(*) FROM civicrm_activity a JOIN civicrm_option_value v "
                       "ON v.value = a.activity_type_id AND v.name = 'Mass SMS'") == 1
