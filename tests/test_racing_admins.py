"""Two admins at once: ``mailing schedule`` against ``schedule`` or ``update`` on one draft.

Whatever the timing, one command wins, the other is refused with one line and exit 1, and
the mailing row and its parent job agree (issue 18, items 4 and 5).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import MySQLdb
import pytest
from test_mailing import cli, spring

from civisms.civicrm.dbconn import Database
from civisms.civicrm.mailing_recipients import lock_name
from civisms.civicrm.mailings import DbMailings
from civisms.errors import ConflictError

if TYPE_CHECKING:
    from conftest import SiteDb

ROOT = Path(__file__).resolve().parent.parent
TRIALS = int(os.environ.get("CIVISMS_RACE_TRIALS", "4"))


@pytest.fixture
def run(site: SiteDb, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    return cli(site, monkeypatch)


def consistent(site: SiteDb, mid: int) -> dict[str, Any]:
    """The mailing row and its jobs; asserts they tell the same story."""
    m = site.query("SELECT * FROM civicrm_mailing WHERE id = %s", [mid])[0]
    jobs = site.query("SELECT * FROM civicrm_mailing_job WHERE mailing_id = %s", [mid])
    if m["scheduled_id"] is None:
        assert m["status"] == "Draft" and m["scheduled_date"] is None and not jobs
    else:
        assert m["status"] == "Scheduled" and len(jobs) == 1
        assert jobs[0]["scheduled_date"] == m["scheduled_date"]
    return m


def test_a_second_schedule_of_the_same_mailing_is_refused_by_the_row_lock(
        site: SiteDb, run: Any) -> None:
    mid = spring(run)["id"]
    store = DbMailings(Database(site.params))
    store.submit(mid, datetime(2030, 6, 1, 9, 0), 2)
    # A second submit that passed its draft check before the first committed:
    with pytest.raises(ConflictError, match="scheduled meanwhile"):
        store.submit(mid, datetime.now().replace(microsecond=0), 2)
    m = consistent(site, mid)
    assert m["scheduled_date"] == datetime(2030, 6, 1, 9, 0)


def test_a_mailing_held_by_another_command_is_refused(site: SiteDb, run: Any) -> None:
    mid = spring(run)["id"]
    other = MySQLdb.connect(host=site.params.host, port=site.params.port,
                            user=site.params.user, passwd=site.params.password)
    try:
        cur = other.cursor()
        cur.execute("SELECT GET_LOCK(%s, 0)", [lock_name(site.name, mid, "change")])
        for args in (("schedule", str(mid), "--now"),
                     ("update", str(mid), "--text", "Changed")):
            result = run("mailing", *args)
            assert result.exit_code == 1, result.output
            lines = result.output.strip().splitlines()
            assert len(lines) == 1 and "being changed by another civisms" in lines[0]
    finally:
        other.close()
    m = consistent(site, mid)
    assert m["scheduled_id"] is None and m["body_text"].startswith("Hi {contact.first_name}")
    assert run("mailing", "schedule", str(mid), "--now").exit_code == 0  # lock gone


def _race(site: SiteDb, first: list[str],
          second: list[str]) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "CIVISMS_BACKEND": "db", "CIVISMS_DB_URL": site.url,
           "CIVISMS_SOURCE_CONTACT_ID": "2"}
    env.pop("CIVISMS_CONFIG", None)
    procs = [subprocess.Popen([sys.executable, "-m", "civisms", "mailing", *args], env=env,
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for args in (first, second)]
    return [subprocess.CompletedProcess(p.args, p.wait(60), *p.communicate())
            for p in procs]


def test_concurrent_schedules_leave_row_and_job_agreeing(site: SiteDb, run: Any) -> None:
    later = (datetime.now() + timedelta(days=30)).strftime("%Y-%m-%d 09:00")
    for _ in range(TRIALS):
        mid = spring(run)["id"]
        done = _race(site, ["schedule", str(mid), "--at", later],
                     ["schedule", str(mid), "--now"])
        codes = sorted(p.returncode for p in done)
        assert codes[0] == 0 and codes[1] != 0, [(p.returncode, p.stderr) for p in done]
        loser = next(p for p in done if p.returncode)
        assert loser.returncode in (1, 2) and len(loser.stderr.strip().splitlines()) == 1
        winner_at = "now" if done[1].returncode == 0 else later
        m = consistent(site, mid)
        if winner_at == later:
            assert m["scheduled_date"].strftime("%Y-%m-%d %H:%M") == later


def test_update_racing_schedule_never_rewrites_a_scheduled_mailing(site: SiteDb,
                                                                  run: Any) -> None:
    for _ in range(TRIALS):
        mid = spring(run)["id"]
        done = _race(site, ["schedule", str(mid), "--now"],
                     ["update", str(mid), "--text", "Rewritten", "--include-group", "4"])
        scheduled, updated = (p.returncode == 0 for p in done)
        m = consistent(site, mid)
        groups = site.query("SELECT entity_id FROM civicrm_mailing_group WHERE mailing_id = %s "
                            "AND group_type = 'Include'", [mid])
        if m["scheduled_id"] is not None and not updated:
            assert m["body_text"].startswith("Hi ") and [g["entity_id"] for g in groups] == [2]
        if updated:  # the update ran first and alone: the schedule sent what it saw
            assert m["body_text"] == "Rewritten"
        assert scheduled or updated
        show = json.loads(run("mailing", "show", str(mid), "--json").output)
        assert show["id"] == mid
