"""``civisms jobs run``: a mailing scheduled in CiviCRM's screens, sent as Job.process_sms does.

The expected rows are those a real CiviCRM 6.17.2 wrote (../shared/civicrm/observed/
mass-sms.md), plus what civisms adds on purpose: an ``SMS delivery`` activity per message
(as provider extensions write), bounce rows for refused messages, civisms_queue_state.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import MySQLdb
import pytest
from click.testing import CliRunner, Result
from fake_gateway import fake_twilio, refuse
from mailing_factory import add_bulk_recipients, schedule_mailing, use_gateway
from test_send import activities, contacts_of

from civisms.cli import main

if TYPE_CHECKING:
    from conftest import SiteDb

TEXT = ("Hi {contact.first_name}, the Spring drive starts Saturday at 10:00. Ça commence! "
        "Reply STOP to opt out.")


@pytest.fixture
def jobs(site: SiteDb, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``jobs(*args)`` runs ``civisms jobs run --json`` on the sample site (db backend)."""
    return make_jobs(site, monkeypatch)


def make_jobs(site: SiteDb, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CIVISMS_BACKEND", "db")
    monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    for name in ("CIVISMS_CONFIG", "CIVISMS_QUIET_HOURS", "CIVISMS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)

    def invoke(*args: str) -> tuple[Result, dict[str, Any]]:
        result = CliRunner().invoke(main, ["jobs", "run", *args, "--json", "--no-progress"],
                                    catch_exceptions=False)
        try:
            data = json.loads(result.stdout)
        except ValueError:
            data = {}
        return result, data

    return invoke


def rows(site: SiteDb, sql: str, *args: Any) -> list[dict[str, Any]]:
    return site.query(sql, list(args))


def test_mailing_scheduled_in_civicrm_is_sent_with_the_observed_rows(jobs, site: SiteDb) -> None:  # type: ignore[no-untyped-def]
    with fake_twilio() as gateway:
        use_gateway(site, gateway.url)
        mailing = schedule_mailing(site, text=TEXT)
        recipients = rows(site, "SELECT contact_id, phone_id, email_id FROM "
                                "civicrm_mailing_recipients WHERE mailing_id = %s ORDER BY id",
                          mailing)
        assert [(r["contact_id"], r["phone_id"], r["email_id"]) for r in recipients] == [
            (3, 1, None), (5, 4, None), (9, 8, None), (12, 12, None)]
        (parent,) = rows(site, "SELECT * FROM civicrm_mailing_job WHERE mailing_id = %s",
                         mailing)
        # One message at a time, so the gateway sees CiviCRM's order (queue order).
        result, data = jobs("--once", "--concurrency", "1")
        assert result.exit_code == 0, result.output

    # The provider got one message per recipient, in queue order, rendered per contact.
    assert [m["To"] for m in gateway.accepted] == [
        "+14155550101", "+14155550103", "+33612345678", "+14155550199"]
    bodies = [m["Body"] for m in gateway.accepted]
    assert bodies[0].startswith("Hi Alice, the Spring drive") and "Ça commence!" in bodies[0]
    assert bodies[2].startswith("Hi Hélène,") and bodies[3].startswith("Hi , the Spring")
    assert data["total"] == {"sent": 4, "failed": 0, "unknown": 0, "released": 0}

    # Jobs: the parent and one child (mailerJobSize 0), both Complete.
    jobs_rows = rows(site, "SELECT * FROM civicrm_mailing_job WHERE mailing_id = %s "
                           "ORDER BY id", mailing)
    assert len(jobs_rows) == 2
    p, child = jobs_rows
    assert (p["id"], p["job_type"], p["parent_id"], p["job_offset"], p["job_limit"],
            p["status"], p["is_test"]) == (parent["id"], None, None, 0, 0, "Complete", 0)
    assert p["start_date"] is not None and p["end_date"] is not None
    assert (child["job_type"], child["parent_id"], child["job_offset"], child["job_limit"],
            child["status"], child["is_test"]) == ("child", p["id"], 0, 4, "Complete", 0)
    assert child["scheduled_date"] == p["scheduled_date"]
    assert child["start_date"] is not None and child["end_date"] is not None

    # Queue: one row per recipient, on the child, 16 lowercase alphanumerics.
    queue = rows(site, "SELECT * FROM civicrm_mailing_event_queue ORDER BY id")
    assert [(q["contact_id"], q["phone_id"], q["email_id"], q["job_id"], q["mailing_id"],
             q["is_test"]) for q in queue] == [
        (c, ph, None, child["id"], mailing, 0) for c, ph in ((3, 1), (5, 4), (9, 8), (12, 12))]
    assert all(re.fullmatch(r"[a-z0-9]{16}", q["hash"]) for q in queue)
    delivered = rows(site, "SELECT * FROM civicrm_mailing_event_delivered ORDER BY id")
    assert [d["event_queue_id"] for d in delivered] == [q["id"] for q in queue]
    assert site.scalar("SELECT COUNT(*) FROM civicrm_mailing_event_bounce") == 0

    # One Mass SMS activity: subject = mailing name, date = the job's scheduled date.
    (mass,) = activities(site, "Mass SMS")
    assert (mass["source_record_id"], mass["subject"], mass["details"], mass["status_id"],
            mass["campaign_id"], mass["phone_number"]) == (
        mailing, "Spring drive mass SMS", None, 2, None, None)
    assert mass["activity_date_time"] == child["scheduled_date"]
    assert contacts_of(site, mass["id"], "Activity Source") == [2]
    assert contacts_of(site, mass["id"], "Activity Targets") == [3, 5, 9, 12]

    # The mailing: Complete, is_completed, start and end dates.
    (m,) = rows(site, "SELECT * FROM civicrm_mailing WHERE id = %s", mailing)
    assert (m["status"], m["is_completed"]) == ("Complete", 1)
    assert m["start_date"] is not None and m["end_date"] is not None

    # Per message an SMS delivery activity with the gateway's id (as provider extensions).
    deliveries = activities(site, "SMS delivery")
    sids = {a["sid"]: a for a in gateway.accepted}
    assert sorted(d["result"] for d in deliveries) == sorted(sids)
    for d in deliveries:
        assert d["status_id"] == 2 and d["details"] == sids[d["result"]]["Body"]
        assert contacts_of(site, d["id"], "Activity Source") == [2]
    states = rows(site, "SELECT state, COUNT(*) AS n FROM civisms_queue_state GROUP BY state")
    assert [(s["state"], s["n"]) for s in states] == [("sent", 4)]

    # A second run finds nothing to do and changes nothing.
    before = rows(site, "SELECT id, status, end_date FROM civicrm_mailing_job ORDER BY id")
    with fake_twilio() as gateway2:
        use_gateway(site, gateway2.url)
        result, data = jobs("--once")
    assert gateway2.requests == [] and data["total"]["sent"] == 0
    assert rows(site, "SELECT id, status, end_date FROM civicrm_mailing_job ORDER BY id") == before


def test_refused_messages_get_bounces_and_cancelled_deliveries(jobs, site: SiteDb) -> None:  # type: ignore[no-untyped-def]
    script = {"+14155550103": [refuse(21211, "The 'To' number is not a valid phone number.")],
              "+33612345678": [refuse(21610, "Attempt to send to unsubscribed recipient")]}
    with fake_twilio(script=script) as gateway:
        use_gateway(site, gateway.url)
        mailing = schedule_mailing(site)
        result, data = jobs("--once")
    assert result.exit_code == 0, result.output
    assert data["total"]["sent"] == 2 and data["total"]["failed"] == 2
    bounces = rows(site, "SELECT q.contact_id, t.name, b.bounce_reason "
                         "FROM civicrm_mailing_event_bounce b "
                         "JOIN civicrm_mailing_event_queue q ON q.id = b.event_queue_id "
                         "JOIN civicrm_mailing_bounce_type t ON t.id = b.bounce_type_id "
                         "ORDER BY q.contact_id")
    assert [(b["contact_id"], b["name"]) for b in bounces] == [(5, "Invalid"), (9, "Spam")]
    assert "21211" in bounces[0]["bounce_reason"] and "21610" in bounces[1]["bounce_reason"]
    cancelled = [a for a in activities(site, "SMS delivery") if a["status_id"] == 3]
    assert len(cancelled) == 2 and all(a["result"] is None and a["location"] for a in cancelled)
    (mass,) = activities(site, "Mass SMS")
    assert contacts_of(site, mass["id"], "Activity Targets") == [3, 12]
    assert site.scalar("SELECT is_completed FROM civicrm_mailing WHERE id = %s", [mailing]) == 1


def test_authentication_error_pauses_the_mailing_and_resume_sends_all(jobs, site: SiteDb) -> None:  # type: ignore[no-untyped-def]
    bad = {n: [refuse(20003, "Authenticate", 401)] for n in
           ("+14155550101", "+14155550103", "+33612345678", "+14155550199")}
    with fake_twilio(script=bad) as gateway:
        use_gateway(site, gateway.url)
        mailing = schedule_mailing(site)
        result, data = jobs("--once")
    assert result.exit_code == 1
    assert "20003" in data["paused"][str(mailing)]
    assert site.scalar("SELECT status FROM civicrm_mailing WHERE id = %s", [mailing]) == "Paused"
    assert {r["status"] for r in rows(site, "SELECT status FROM civicrm_mailing_job")} == {
        "Paused"}
    assert "20003" in site.scalar("SELECT reason FROM civisms_mailing_pause")
    assert site.scalar("SELECT COUNT(*) FROM civisms_queue_state") == 0  # all pending again
    # Resumed in CiviCRM (every job back to Scheduled), with good credentials.
    site.execute("UPDATE civicrm_mailing_job SET status = 'Scheduled' WHERE status = 'Paused'")
    with fake_twilio() as gateway:
        use_gateway(site, gateway.url)
        result, data = jobs("--once")
    assert data["total"]["sent"] == 4 and len(gateway.accepted) == 4
    assert site.scalar("SELECT status FROM civicrm_mailing WHERE id = %s", [mailing]) == "Complete"


def test_timeout_is_unknown_never_resent_until_resolved(jobs, site: SiteDb) -> None:  # type: ignore[no-untyped-def]
    with fake_twilio(latency=0.6) as gateway:
        use_gateway(site, gateway.url)
        site.execute("UPDATE civicrm_sms_provider SET api_params = CONCAT(api_params, "
                     "'\ncivisms_timeout=0.2') WHERE id = 3")
        mailing = schedule_mailing(site)
        result, data = jobs("--once")
    assert data["total"]["unknown"] == 4
    assert site.scalar("SELECT COUNT(*) FROM civisms_queue_state WHERE state = 'unknown'") == 4
    # A cron job notices: exit 1, the count and the command that settles them.
    assert result.exit_code == 1
    assert "4 messages may or may not" in result.stderr and "--resolve-unknown" in result.stderr
    status = CliRunner().invoke(main, ["mailing", "status", str(mailing)])
    assert ", 4 unknown" in status.stdout and "--resolve-unknown failed" in status.stdout
    shown = json.loads(CliRunner().invoke(main, ["mailing", "status", str(mailing),
                                                 "--json"]).stdout)
    assert shown["unknown"] == 4 and str(mailing) in shown["settle_unknown"]
    with fake_twilio() as gateway:
        use_gateway(site, gateway.url)
        jobs("--once")
        assert gateway.requests == []  # unknown is never resent by itself
        _result, data = jobs("--once", "--resolve-unknown", "resend", "--mailing", str(mailing))
    assert data["resolved"] == {"resend": 4} and len(gateway.accepted) == 4
    assert site.scalar("SELECT COUNT(*) FROM civicrm_mailing_event_delivered") == 4


def test_resolve_unknown_as_failed(jobs, site: SiteDb) -> None:  # type: ignore[no-untyped-def]
    with fake_twilio(latency=0.6) as gateway:
        use_gateway(site, gateway.url)
        site.execute("UPDATE civicrm_sms_provider SET api_params = CONCAT(api_params, "
                     "'\ncivisms_timeout=0.2') WHERE id = 3")
        schedule_mailing(site)
        jobs("--once")
        _result, data = jobs("--once", "--resolve-unknown", "failed")
    assert data["resolved"] == {"failed": 4}
    assert site.scalar("SELECT COUNT(*) FROM civisms_queue_state WHERE state = 'failed'") == 4


def test_child_locked_by_civicrm_cron_is_left_alone(jobs, site: SiteDb) -> None:  # type: ignore[no-untyped-def]
    with fake_twilio() as gateway:
        use_gateway(site, gateway.url)
        schedule_mailing(site)
        jobs("--once", "--limit", "1")  # split and queue, send one
        child = site.scalar("SELECT id FROM civicrm_mailing_job WHERE job_type = 'child'")
        # What CRM_Core_Lock takes for data.mailing.job.{child} (scoped: db.domain.name).
        name = hashlib.sha1(f"{site.name}.1.data.mailing.job.{child}".encode()).hexdigest()
        conn = MySQLdb.connect(host=site.params.host, port=site.params.port,
                               user=site.params.user, passwd=site.params.password)
        try:
            conn.cursor().execute("SELECT GET_LOCK(%s, 0)", [name])
            _, data = jobs("--once")
            assert child in data["busy"] and data["total"]["sent"] == 0
        finally:
            conn.close()
        _result, data = jobs("--once")
    assert data["total"]["sent"] == 3 and len(gateway.accepted) == 4


def test_quiet_hours_send_nothing_then_resume(jobs, site: SiteDb) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timedelta

    now = datetime.now()
    window = f"{now - timedelta(minutes=5):%H:%M}-{now + timedelta(minutes=5):%H:%M}"
    with fake_twilio() as gateway:
        use_gateway(site, gateway.url)
        schedule_mailing(site)
        _, data = jobs("--once", "--quiet-hours", window)
        assert data["stopped"].startswith("quiet hours") and gateway.requests == []
        _result, data = jobs("--once")
    assert data["total"]["sent"] == 4


def test_api4_backend_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVISMS_BACKEND", "api4")
    result = CliRunner().invoke(main, ["jobs", "run", "--once"])
    assert result.exit_code == 2 and "CIVISMS_BACKEND=db" in result.output


@pytest.mark.parametrize("version", ["5.69.5", "5.81.1"])
def test_older_civicrm_versions(version: str, make_site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    site = make_site(version)
    jobs = make_jobs(site, monkeypatch)
    with fake_twilio() as gateway:
        use_gateway(site, gateway.url)
        mailing = schedule_mailing(site)
        result, data = jobs("--once")
    assert result.exit_code == 0, result.output
    assert data["total"]["sent"] == 4 and data["completed"] == [mailing]
    assert site.scalar("SELECT is_completed FROM civicrm_mailing") == 1


def test_split_children_and_two_runs_at_once_never_send_twice(site: SiteDb) -> None:
    """Two ``jobs run`` processes with two workers each on a mailing split in children."""
    with fake_twilio() as gateway:
        use_gateway(site, gateway.url, mps=100000)
        mailing = schedule_mailing(site, include=(), exclude=())
        add_bulk_recipients(site, mailing, 1200)
        env = {"CIVISMS_BACKEND": "db", "CIVISMS_DB_URL": site.url, "PATH": "/usr/bin:/bin"}
        cmd = [sys.executable, "-m", "civisms", "jobs", "run", "--once", "--json",
               "--job-size", "300", "--workers", "2", "--batch", "50"]
        procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, cwd=Path(__file__).parent.parent)
                 for _ in range(2)]
        outs = [p.communicate(timeout=120) for p in procs]
        assert all(p.returncode == 0 for p in procs), outs
        for _ in range(3):  # children another run had locked are finished by the next runs
            subprocess.run(cmd, env=env, capture_output=True, check=True,
                           cwd=Path(__file__).parent.parent)
    to = gateway.accepted_to()
    assert len(to) == len(set(to)) == 1200
    assert site.scalar("SELECT COUNT(*) FROM civicrm_mailing_job WHERE job_type = 'child'") == 4
    assert site.scalar("SELECT COUNT(*) FROM civicrm_mailing_event_delivered") == 1200
    assert site.scalar("SELECT is_completed FROM civicrm_mailing WHERE id = %s", [mailing]) == 1


def test_helpers_send_a_mass_sms_made_for_the_bridge_row(site: SiteDb) -> None:
    """A mailing made in CiviCRM's wizard names the bridge row; the helper processes send
    it through the row's gateway too, as the process holding the lock does."""
    from test_bridge_service import bridge_row

    with fake_twilio() as gateway:
        use_gateway(site, gateway.url, mps=100000)
        row = bridge_row(site, via="civisms_via=3")
        mailing = schedule_mailing(site, provider_id=row, include=(), exclude=())
        add_bulk_recipients(site, mailing, 400)
        env = {"CIVISMS_BACKEND": "db", "CIVISMS_DB_URL": site.url, "PATH": "/usr/bin:/bin"}
        done = subprocess.run(
            [sys.executable, "-m", "civisms", "jobs", "run", "--once", "--json", "--workers",
             "2", "--batch", "20", "--concurrency", "4"],
            env=env, capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["total"]["sent"] == 400 and data["completed"] == [mailing], data
    assert "helper" not in done.stdout + done.stderr
    to = gateway.accepted_to()
    assert len(to) == len(set(to)) == 400
