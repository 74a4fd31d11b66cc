"""``civisms mailing`` on the sample site: the rows match what CiviCRM 6.17.2 wrote.

The reference is ../shared/civicrm/observed/mass-sms.md: "Spring drive mass SMS",
include group 2 (SMS Supporters), exclude group 3 (Board Members), sent now.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from civisms.cli import main

if TYPE_CHECKING:
    from conftest import SiteDb

TEXT = ("Hi {contact.first_name}, the Spring drive starts Saturday at 10:00. Ça commence! "
        "Reply STOP to opt out.")
ADMIN = 2


def served_provider(site: SiteDb) -> None:
    """Mailings go through provider 2, the local outbox (provider 1's extension has no civisms
    adapter, so civisms refuses it); the wizard copies the provider's username into
    ``from_name``, so give it one to see that."""
    site.execute("UPDATE civicrm_sms_provider SET username = 'civisms-local' WHERE id = 2")


def cli(site: SiteDb, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    served_provider(site)
    monkeypatch.setenv("CIVISMS_BACKEND", "db")
    monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    monkeypatch.setenv("CIVISMS_SOURCE_CONTACT_ID", str(ADMIN))
    monkeypatch.delenv("CIVISMS_CONFIG", raising=False)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def run(site: SiteDb, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    return cli(site, monkeypatch)


def spring(run: Any, *extra: str) -> dict[str, Any]:
    result = run("mailing", "create", "--name", "Spring drive mass SMS", "--provider", "2",
                 "--include-group", "2", "--exclude-group", "3", "--text", TEXT, "--json",
                 *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_create_draft_rows_match_the_wizard(site: SiteDb, run: Any) -> None:
    made = spring(run)
    mid = made["id"]
    assert made["recipients"] == 4
    m = site.query("SELECT * FROM civicrm_mailing WHERE id = %s", [mid])[0]
    assert m["status"] == "Draft" and m["sms_provider_id"] == 2
    assert m["from_name"] == "civisms-local" and m["from_email"] == "info@EXAMPLE.ORG"
    assert m["replyto_email"] == "info@EXAMPLE.ORG"
    assert (m["mailing_type"], m["template_type"], m["visibility"]) == (
        "standalone", "traditional", "Public Pages")
    assert (m["url_tracking"], m["open_tracking"], m["dedupe_email"], m["override_verp"]) == (
        0, 1, 1, 1)
    assert m["header_id"] is None and m["footer_id"] is None and m["subject"] is None
    assert m["body_text"] == TEXT and m["msg_template_id"] is None
    assert m["created_id"] == ADMIN and m["created_date"] is not None
    assert m["domain_id"] == 1 and len(m["hash"]) == 16
    assert m["scheduled_id"] is None and m["scheduled_date"] is None
    groups = site.query("SELECT group_type, entity_table, entity_id, search_id "
                        "FROM civicrm_mailing_group WHERE mailing_id = %s ORDER BY id", [mid])
    assert [(g["group_type"], g["entity_table"], g["entity_id"]) for g in groups] == [
        ("Include", "civicrm_group", 2), ("Exclude", "civicrm_group", 3)]
    rows = site.query("SELECT contact_id, phone_id, email_id FROM civicrm_mailing_recipients "
                      "WHERE mailing_id = %s ORDER BY id", [mid])
    assert [(r["contact_id"], r["phone_id"], r["email_id"]) for r in rows] == [
        (3, 1, None), (5, 4, None), (9, 8, None), (12, 12, None)]
    assert site.scalar("SELECT COUNT(*) FROM civicrm_mailing_job") == 0
    assert made["skipped_by_reason"] == {
        "deceased": 1, "do_not_sms": 1, "excluded": 1, "no_mobile": 1, "opt_out": 1}


def test_schedule_now_writes_the_submit_rows(site: SiteDb, run: Any) -> None:
    mid = spring(run)["id"]
    result = run("mailing", "schedule", str(mid), "--now", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "Scheduled" and data["recipients"] == 4
    m = site.query("SELECT * FROM civicrm_mailing WHERE id = %s", [mid])[0]
    assert m["status"] == "Scheduled" and m["scheduled_id"] == ADMIN
    assert m["approver_id"] == ADMIN and m["approval_status_id"] == 1
    assert m["scheduled_date"] is not None and m["approval_date"] is not None
    jobs = site.query("SELECT * FROM civicrm_mailing_job WHERE mailing_id = %s", [mid])
    assert len(jobs) == 1
    job = jobs[0]
    assert (job["status"], job["job_type"], job["parent_id"], job["job_offset"],
            job["job_limit"], job["is_test"]) == ("Scheduled", None, None, 0, 0, 0)
    assert job["scheduled_date"] == m["scheduled_date"] and data["job_id"] == job["id"]
    assert job["start_date"] is None and job["end_date"] is None
    again = run("mailing", "schedule", str(mid), "--now")
    assert again.exit_code == 2 and "not a draft" in again.output


def test_schedule_later_and_past_dates(site: SiteDb, run: Any) -> None:
    mid = spring(run)["id"]
    past = run("mailing", "schedule", str(mid), "--at", "2001-01-01 10:00")
    assert past.exit_code == 2 and "in the past" in past.output
    assert site.scalar("SELECT COUNT(*) FROM civicrm_mailing_job") == 0
    bad = run("mailing", "schedule", str(mid), "--at", "tomorrow")
    assert bad.exit_code == 2 and "YYYY-MM-DD HH:MM" in bad.output
    far = run("mailing", "schedule", str(mid), "--at", "2099-05-01 09:30")
    assert far.exit_code == 2 and "2038" in far.output
    ok = run("mailing", "schedule", str(mid), "--at", "2030-05-01 09:30")
    assert ok.exit_code == 0, ok.output
    assert str(site.scalar("SELECT scheduled_date FROM civicrm_mailing_job")) == \
        "2030-05-01 09:30:00"


def test_same_group_or_mailing_in_include_and_exclude_is_refused(site: SiteDb, run: Any) -> None:
    result = run("mailing", "create", "--name", "x", "--include-group", "2",
                 "--exclude-group", "SMS Supporters", "--text", "hi")
    assert result.exit_code == 2 and "both included and excluded" in result.output
    mid = spring(run)["id"]
    result = run("mailing", "create", "--name", "y", "--include-mailing", str(mid),
                 "--exclude-mailing", str(mid), "--text", "hi")
    assert result.exit_code == 2 and "both included and excluded" in result.output
    assert site.scalar("SELECT COUNT(*) FROM civicrm_mailing") == 1


def test_bad_input(run: Any) -> None:
    assert "no recipients" in run("mailing", "create", "--name", "x", "--text", "hi").output
    out = run("mailing", "create", "--name", "x", "--include-group", "2", "--text", "{bad.x}")
    assert out.exit_code == 2
    out = run("mailing", "create", "--name", "x", "--include-group", "99", "--text", "hi")
    assert out.exit_code == 2 and "no group" in out.output
    out = run("mailing", "show", "999")
    assert out.exit_code == 2 and "no SMS mailing with id 999" in out.output


def test_update_continues_a_draft(site: SiteDb, run: Any) -> None:
    mid = spring(run)["id"]
    out = run("mailing", "update", str(mid), "--include-group", "2", "--text", "Hello!",
              "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    # Each kind of group given replaces the stored one; the exclude group is kept.
    assert data["recipients"] == 4 and data["text"] == "Hello!"
    assert data["name"] == "Spring drive mass SMS"
    groups = site.query("SELECT group_type, entity_id FROM civicrm_mailing_group "
                        "WHERE mailing_id = %s ORDER BY id", [mid])
    assert [(g["group_type"], g["entity_id"]) for g in groups] == [("Include", 2),
                                                                  ("Exclude", 3)]
    out = run("mailing", "update", str(mid), "--template", "68", "--json")
    data = json.loads(out.output)
    assert data["msg_template_id"] == 68 and data["include_groups"] == [2]


def test_save_template_links_the_new_template(site: SiteDb, run: Any) -> None:
    made = spring(run, "--save-template", "Spring mass")
    row = site.query("SELECT * FROM civicrm_msg_template WHERE msg_title = 'Spring mass'")[0]
    assert row["is_sms"] == 1 and row["msg_text"] == TEXT
    assert made["msg_template_id"] == row["id"]


def test_list_show_and_state_changes(site: SiteDb, run: Any) -> None:
    draft = spring(run)["id"]
    sent = spring(run)["id"]
    run("mailing", "schedule", str(sent), "--now")
    listed = json.loads(run("mailing", "list", "--json").output)
    assert [m["id"] for m in listed] == [sent, draft]
    assert [m["id"] for m in json.loads(run("mailing", "list", "--drafts", "--json").output)] \
        == [draft]
    assert [m["id"] for m in json.loads(
        run("mailing", "list", "--scheduled", "--json").output)] == [sent]
    assert json.loads(run("mailing", "list", "--sent", "--json").output) == []
    # An e-mail mailing is not listed ("Is SMS" filter).
    site.execute("INSERT INTO civicrm_mailing (name, domain_id) VALUES ('Newsletter', 1)")
    assert len(json.loads(run("mailing", "list", "--json").output)) == 2
    assert run("mailing", "pause", str(draft)).exit_code == 2
    assert "Paused" in run("mailing", "pause", str(sent)).output
    assert site.scalar("SELECT status FROM civicrm_mailing_job") == "Paused"
    assert site.scalar("SELECT status FROM civicrm_mailing WHERE id = %s", [sent]) == "Paused"
    assert "Scheduled" in run("mailing", "resume", str(sent)).output
    assert run("mailing", "resume", str(sent)).exit_code == 2
    assert "Canceled" in run("mailing", "cancel", str(sent)).output
    m = site.query("SELECT status, end_date FROM civicrm_mailing WHERE id = %s", [sent])[0]
    assert m["status"] == "Canceled" and m["end_date"] is not None
    assert site.scalar("SELECT status FROM civicrm_mailing_job") == "Canceled"
    assert run("mailing", "cancel", str(sent)).exit_code == 2
    shown = json.loads(run("mailing", "show", str(sent), "--json").output)
    assert shown["status"] == "Canceled" and shown["exclude_groups"] == [3]


def test_status_counts_queue_delivered_bounce_and_civisms_state(site: SiteDb, run: Any) -> None:
    mid = spring(run)["id"]
    run("mailing", "schedule", str(mid), "--now")
    parent = site.scalar("SELECT id FROM civicrm_mailing_job")
    site.execute("INSERT INTO civicrm_mailing_job (mailing_id, scheduled_date, status, "
                 "job_type, parent_id, job_limit) SELECT mailing_id, scheduled_date, "
                 "'Running', 'child', id, 4 FROM civicrm_mailing_job WHERE id = %s", [parent])
    child = site.scalar("SELECT MAX(id) FROM civicrm_mailing_job")
    for i, (cid, pid) in enumerate([(3, 1), (5, 4), (9, 8), (12, 12)], start=1):
        site.execute("INSERT INTO civicrm_mailing_event_queue (id, job_id, mailing_id, "
                     "contact_id, phone_id, hash) VALUES (%s, %s, %s, %s, %s, %s)",
                     [i, child, mid, cid, pid, f"h{i}"])
    site.execute("INSERT INTO civicrm_mailing_event_delivered (event_queue_id) VALUES (1)")
    site.execute("INSERT INTO civicrm_mailing_event_bounce (event_queue_id, bounce_reason) "
                 "VALUES (2, 'invalid number')")
    out = json.loads(run("mailing", "status", str(mid), "--json").output)
    assert {k: out[k] for k in ("id", "status", "recipients", "queued", "sent", "failed",
                                "unknown")} == {"id": mid, "status": "Scheduled",
                                                "recipients": 4, "queued": 4, "sent": 1,
                                                "failed": 1, "unknown": 0}
    assert out["failures"] == {"invalid number": 1}
    site.execute("CREATE TABLE civisms_queue_state (event_queue_id INT UNSIGNED PRIMARY KEY, "
                 "state VARCHAR(16), error VARCHAR(255))")
    site.execute("INSERT INTO civisms_queue_state VALUES (1, 'sent', NULL), "
                 "(3, 'sending', NULL), (4, 'failed', 'gateway refused')")
    out = json.loads(run("mailing", "status", str(mid), "--json").output)
    assert (out["sent"], out["failed"], out["unknown"]) == (1, 2, 1)
    assert out["failures"] == {"invalid number": 1, "gateway refused": 1}


def test_preview_renders_for_a_recipient(run: Any) -> None:
    mid = spring(run)["id"]
    out = json.loads(run("mailing", "preview", str(mid), "--json").output)
    assert out["contact_id"] == 3 and out["text"].startswith("Hi Alice, the Spring drive")
    assert out["encoding"] == "GSM-7" and out["segments"] == 1  # Ç and é are GSM-7
    assert out["total_segments"] == 4 and out["recipients"] == 4
    assert out["skipped_by_reason"]["excluded"] == 1
    out = json.loads(run("mailing", "preview", str(mid), "--contact", "12", "--json").output)
    assert out["text"].startswith("Hi , the Spring")


def test_preview_of_a_text_without_tokens_counts_every_recipient(
        run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVISMS_MAX_SEGMENTS", "2")  # two segments allowed
    text = "Spring drive on Saturday at 10: bring a friend, a sandwich and a smile. " * 3
    result = run("mailing", "create", "--name", "Plain", "--provider", "2",
                 "--include-group", "2", "--exclude-group", "3", "--text", text, "--json")
    mid = json.loads(result.output)["id"]
    out = json.loads(run("mailing", "preview", str(mid), "--json").output)
    assert out["text"] == text and out["segments"] == 2
    assert out["total_segments"] == 2 * out["recipients"] == 8
    out = json.loads(run("mailing", "preview", str(mid), "--contact", "4", "--json").output)
    assert out["contact_id"] == 4 and out["text"] == text  # not a recipient: no mobile


def test_preview_of_a_text_naming_the_email_shows_it(run: Any) -> None:
    result = run("mailing", "create", "--name", "Mail", "--provider", "2", "--include-group",
                 "2", "--exclude-group", "3", "--text", "Hi {contact.first_name}: {contact.email}",
                 "--json")
    out = json.loads(run("mailing", "preview", str(json.loads(result.output)["id"]),
                         "--json").output)
    assert out["text"].startswith("Hi Alice: ") and "@" in out["text"]


@pytest.mark.parametrize("schema", ["5.69.5", "5.81.1", "6.17.2"])
def test_lifecycle_on_reference_schemas(make_site: Any, monkeypatch: pytest.MonkeyPatch,
                                        schema: str) -> None:
    site = make_site(schema)
    run = cli(site, monkeypatch)
    mid = spring(run)["id"]
    has_status = schema != "5.69.5"
    columns = {r["COLUMN_NAME"] for r in site.query(
        "SELECT COLUMN_NAME FROM information_schema.columns WHERE table_schema = DATABASE() "
        "AND table_name = 'civicrm_mailing'")}
    assert ("status" in columns) == has_status
    assert run("mailing", "schedule", str(mid), "--now").exit_code == 0
    rows = site.query("SELECT contact_id, phone_id FROM civicrm_mailing_recipients "
                      "ORDER BY id")
    assert [(r["contact_id"], r["phone_id"]) for r in rows] == [(3, 1), (5, 4), (9, 8), (12, 12)]
    if has_status:
        assert site.scalar("SELECT status FROM civicrm_mailing") == "Scheduled"
    assert site.scalar("SELECT status FROM civicrm_mailing_job") == "Scheduled"
    assert run("mailing", "pause", str(mid)).exit_code == 0
    assert run("mailing", "resume", str(mid)).exit_code == 0
    assert run("mailing", "cancel", str(mid)).exit_code == 0
    status = json.loads(run("mailing", "status", str(mid), "--json").output)
    assert status["status"] == "Canceled" and status["recipients"] == 4


# -- the api4 backend (through the emulator of tests/api4_site.py) ---------------------------


@pytest.fixture
def run4(site: SiteDb, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
         request: pytest.FixtureRequest):
    from api4_site import API_KEY, BASE_URL

    request.getfixturevalue("api4_site")
    served_provider(site)
    monkeypatch.setenv("CIVISMS_BACKEND", "api4")
    monkeypatch.setenv("CIVISMS_API_URL", BASE_URL)
    monkeypatch.setenv("CIVISMS_API_KEY", API_KEY)
    monkeypatch.setenv("CIVISMS_SOURCE_CONTACT_ID", str(ADMIN))
    monkeypatch.delenv("CIVISMS_CONFIG", raising=False)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_api4_create_show_list_schedule(site: SiteDb, run4: Any, api4_site: Any) -> None:
    made = spring(run4)
    mid = made["id"]
    # The report is computed from API v4 reads; CiviCRM writes the snapshot at submit.
    assert made["skipped_by_reason"] == {
        "deceased": 1, "do_not_sms": 1, "excluded": 1, "no_mobile": 1, "opt_out": 1}
    m = site.query("SELECT * FROM civicrm_mailing WHERE id = %s", [mid])[0]
    assert (m["sms_provider_id"], m["from_name"], m["body_text"], m["url_tracking"]) == (
        2, "civisms-local", TEXT, 0)
    groups = site.query("SELECT group_type, entity_id FROM civicrm_mailing_group "
                        "WHERE mailing_id = %s ORDER BY id", [mid])
    assert [(g["group_type"], g["entity_id"]) for g in groups] == [("Include", 2),
                                                                  ("Exclude", 3)]
    upd = run4("mailing", "update", str(mid), "--text", "Hello", "--json")
    assert upd.exit_code == 0, upd.output
    assert site.scalar("SELECT COUNT(*) FROM civicrm_mailing_group") == 2
    listed = json.loads(run4("mailing", "list", "--drafts", "--json").output)
    assert [x["id"] for x in listed] == [mid]
    out = run4("mailing", "schedule", str(mid), "--now", "--json")
    assert out.exit_code == 0, out.output
    assert ("Mailing", "v3.submit") in [(e, a) for e, a, _ in api4_site.calls]
    data = json.loads(out.output)
    assert data["status"] == "Scheduled" and data["recipients"] == 4
    assert site.scalar("SELECT status FROM civicrm_mailing_job") == "Scheduled"
    status = json.loads(run4("mailing", "status", str(mid), "--json").output)
    assert (status["queued"], status["sent"], status["failed"]) == (0, 0, 0)
