"""``civisms send`` on the sample site: who gets it, what is written, what the gateway gets.

The expected rows are those a real CiviCRM 6.17.2 wrote for the same task
(../shared/civicrm/observed/individual-sms.md), apart from the documented improvements:
the primary mobile is texted, and refused messages are recorded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result
from fake_gateway import ACCEPTED, RATE_LIMITED, fake_twilio, refuse

from civisms.cli import main

if TYPE_CHECKING:
    from conftest import SiteDb

TEXT = "Hi {contact.first_name} {contact.last_name}, the Spring drive starts Saturday!"
SENDER = 2  # Standalone Admin, the "logged-in" user of the observed run


@pytest.fixture(params=["db", "api4"])
def run(request: pytest.FixtureRequest, site: SiteDb, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run the CLI against the sample site through each backend (api4: the emulator),
    with the local outbox in tmp_path."""
    monkeypatch.setenv("CIVISMS_BACKEND", request.param)
    if request.param == "db":
        monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    else:
        from api4_site import API_KEY, BASE_URL

        emulator = request.getfixturevalue("api4_site")
        emulator_passthru(request)
        monkeypatch.setenv("CIVISMS_API_URL", BASE_URL)
        monkeypatch.setenv("CIVISMS_API_KEY", API_KEY)
        assert emulator is not None
    monkeypatch.setenv("CIVISMS_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.setenv("CIVISMS_SOURCE_CONTACT_ID", str(SENDER))
    monkeypatch.delenv("CIVISMS_CONFIG", raising=False)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def emulator_passthru(request: pytest.FixtureRequest) -> None:
    """Let the gateway calls to 127.0.0.1 through the emulator's ``responses`` mock."""
    request.getfixturevalue("api4_site").passthru("http://127.0.0.1")


def outbox(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "outbox.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def activities(site: SiteDb, type_name: str) -> list[dict[str, Any]]:
    return site.query(
        "SELECT a.* FROM civicrm_activity a JOIN civicrm_option_value ov "
        "ON ov.value = a.activity_type_id JOIN civicrm_option_group og "
        "ON og.id = ov.option_group_id AND og.name = 'activity_type' "
        "WHERE ov.name = %s ORDER BY a.id", [type_name],
    )


def contacts_of(site: SiteDb, activity_id: int, record_type: str) -> list[int]:
    rows = site.query(
        "SELECT ac.contact_id FROM civicrm_activity_contact ac "
        "JOIN civicrm_option_value ov ON ov.value = ac.record_type_id "
        "JOIN civicrm_option_group og ON og.id = ov.option_group_id "
        "AND og.name = 'activity_contacts' "
        "WHERE ac.activity_id = %s AND ov.name = %s ORDER BY ac.contact_id",
        [activity_id, record_type],
    )
    return [r["contact_id"] for r in rows]


def test_mixed_selection_writes_what_civicrm_writes(run, site: SiteDb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The observed main case: Hélène (mobile), Bob (landline only), David (do_not_sms),
    # plus Carla (two mobiles), Frank (opt-out: still texted) and the Organization.
    result = run("send", "--contact", "9", "--contact", "4", "--contact", "6",
                 "--contact", "5", "--contact", "8", "--contact", "12",
                 "--name", "Spring reminder (individual SMS)", "--text", TEXT, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [s["contact_id"] for s in report["sent"]] == [9, 5, 8, 12]
    assert {s["contact_id"]: s["reason"] for s in report["skipped"]} == {
        4: "no_mobile", 6: "do_not_sms",
    }
    assert report["failed"] == []

    # One SMS activity: subject = name, details = the text as written, Completed, Normal.
    (sms,) = activities(site, "SMS")
    assert sms["id"] == report["activity_id"]
    assert sms["subject"] == "Spring reminder (individual SMS)"
    assert sms["details"] == TEXT
    assert sms["status_id"] == 2 and sms["priority_id"] == 2
    assert sms["phone_number"] is None and sms["result"] is None and sms["campaign_id"] is None
    assert (sms["is_test"], sms["is_auto"], sms["is_deleted"], sms["is_current_revision"]) == (
        0, 0, 0, 1,
    )
    assert contacts_of(site, sms["id"], "Activity Source") == [SENDER]
    assert contacts_of(site, sms["id"], "Activity Targets") == [5, 8, 9, 12]

    # One SMS delivery per message: gateway id in result, rendered text, sender → recipient.
    deliveries = activities(site, "SMS delivery")
    assert len(deliveries) == 4
    sent = {s["provider_message_id"]: s for s in report["sent"]}
    for delivery in deliveries:
        message = sent[delivery["result"]]
        (target,) = contacts_of(site, delivery["id"], "Activity Targets")
        assert target == message["contact_id"]
        assert contacts_of(site, delivery["id"], "Activity Source") == [SENDER]
        assert delivery["subject"] is None and delivery["status_id"] == 2
        assert delivery["parent_id"] is None
    helene = next(d for d in deliveries if sent[d["result"]]["contact_id"] == 9)
    assert helene["details"] == "Hi Hélène Dupré-Lefèvre, the Spring drive starts Saturday!"

    # What the gateway got: E.164 numbers, Carla on her PRIMARY mobile (CiviCRM's form
    # would use her non-primary one: the documented improvement).
    assert sorted(m["to"] for m in outbox(tmp_path)) == [
        "+14155550103", "+14155550106", "+14155550199", "+33612345678",
    ]


def test_group_send_skips_with_reasons_and_texts_a_shared_number_once(
    run, site: SiteDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("CIVISMS_DEFAULT_REGION", "FR")
    result = run("send", "--group", "international_supporters", "--group", "4",
                 "--contact", "27", "--contact", "26", "--name", "Hello", "--text", "Hello!",
                 "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    skipped = {s["contact_id"]: s["reason"] for s in report["skipped"]}
    assert skipped[28] == "invalid_number"
    assert skipped[27] == "deleted"
    # Paul (25, via the smart group) shares Marie's (26) number: texted once, to Marie.
    assert skipped[25] == "duplicate_number"
    numbers = [m["to"] for m in outbox(tmp_path)]
    assert len(numbers) == len(set(numbers)) == len(report["sent"])
    assert "+33623456789" in numbers  # typed "06 23 45 67 89", read in region FR


def test_dry_run_previews_and_writes_nothing(run, site: SiteDb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("send", "--group", "SMS Supporters", "--name", "N", "--text", TEXT, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "preview (contact 3): Hi Alice Martin, the Spring drive" in result.output
    assert "skipped contact      6: do_not_sms" in result.output
    assert "GSM-7" in result.output
    assert site.scalar("SELECT COUNT(*) FROM civicrm_activity") == 0
    assert outbox(tmp_path) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--contact", "3", "--provider", "Nope"], "no SMS provider 'Nope'"),
        (["--contact", "3", "--provider", "3"], "is inactive"),
        (["--contact", "999"], "no contact with id 999"),
        (["--contact", "nobody@example.org"], "no contact with email or display name"),
        (["--group", "No such group"], "no group 'No such group'"),
        (["--contact", "3", "--template", "404"], "no SMS template '404'"),
        (["--contact", "3", "--file", "/nonexistent.txt"], "cannot read text file"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    run, site: SiteDb, args: list[str], message: str,  # type: ignore[no-untyped-def]
) -> None:
    if "--template" not in args and "--file" not in args:
        args = [*args, "--text", "Hi"]
    result = run("send", "--name", "N", *args, "--yes")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert site.scalar("SELECT COUNT(*) FROM civicrm_activity") == 0


def test_ambiguous_email_lists_the_contacts(run) -> None:  # type: ignore[no-untyped-def]
    result = run("send", "--contact", "famille.janssens@example.be", "--name", "N",
                 "--text", "Hi", "--yes")
    assert result.exit_code == 2
    assert "matches 2 contacts (25 Paul Janssens; 26 Marie Janssens)" in result.output


def test_message_over_the_policy_is_refused_before_anything(run, site: SiteDb) -> None:  # type: ignore[no-untyped-def]
    result = run("send", "--contact", "9", "--name", "N", "--yes",
                 "--text", "Bonjour {contact.first_name} " + "x" * 150)
    assert result.exit_code == 2
    assert "for contact 9" in result.output and "segments" in result.output
    assert site.scalar("SELECT COUNT(*) FROM civicrm_activity") == 0


def test_without_a_terminal_or_yes_it_refuses(run, site: SiteDb) -> None:  # type: ignore[no-untyped-def]
    result = run("send", "--contact", "3", "--name", "N", "--text", "Hi")
    assert result.exit_code == 2
    assert "add --yes" in result.output
    assert site.scalar("SELECT COUNT(*) FROM civicrm_activity") == 0


def test_template_contacts_file_and_save_as_new(run, site: SiteDb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "search.csv"
    csv.write_text("Contact ID,Display Name\n3,Alice Martin\n12,Green Valley Co-op\n")
    result = run("send", "--contacts-file", str(csv), "--template", "68", "--name", "T",
                 "--save-template", "Copy of spring", "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["sent"]) == 2
    (saved,) = site.query("SELECT * FROM civicrm_msg_template WHERE msg_title = 'Copy of spring'")
    original = site.scalar("SELECT msg_text FROM civicrm_msg_template WHERE id = 68")
    assert saved["msg_text"] == original
    assert (saved["is_sms"], saved["is_active"], saved["is_default"]) == (1, 1, 1)
    assert saved["msg_subject"] is None and saved["msg_html"] is None


def test_refused_and_rate_limited_numbers(run, site: SiteDb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Alice's number is refused (Twilio 21211); Frank's is rate-limited once, then taken.
    with fake_twilio(script={
        "+14155550101": [refuse(21211, "Invalid 'To' Phone Number")],
        "+14155550106": [RATE_LIMITED, ACCEPTED],
    }) as gateway:
        site.execute(
            "UPDATE civicrm_sms_provider SET is_active = 1, api_url = %s, "
            "username = 'AC0123456789abcdef0123456789abcdef', password = 'tok3n', "
            "api_params = 'From=+15005550006' WHERE id = 3", [gateway.url],
        )
        result = run("send", "--group", "SMS Supporters", "--provider", "3", "--name", "N",
                     "--text", "Hi {contact.first_name}", "--yes", "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert [f["contact_id"] for f in report["failed"]] == [3]
    assert "21211" in json.dumps(report["failed"])
    assert "tok3n" not in result.output
    texted = sorted(s["phone"] for s in report["sent"])
    assert sorted(gateway.accepted_to()) == texted  # every other recipient exactly once
    assert gateway.accepted_to().count("+14155550106") == 1
    (sms,) = activities(site, "SMS")
    assert 3 not in contacts_of(site, sms["id"], "Activity Targets")
    cancelled = [d for d in activities(site, "SMS delivery") if d["status_id"] == 3]
    assert len(cancelled) == 1 and "21211" in cancelled[0]["location"]
    assert contacts_of(site, cancelled[0]["id"], "Activity Targets") == [3]


def test_update_template_saves_the_edited_text_into_it(run, site: SiteDb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    message = tmp_path / "edited.txt"
    message.write_text("Edited: hi {contact.first_name}!", encoding="utf-8")
    result = run("send", "--contact", "3", "--template", "68", "--file", str(message),
                 "--name", "N", "--yes")
    assert result.exit_code == 2 and "add --update-template" in result.output
    result = run("send", "--contact", "3", "--template", "SMS Spring reminder", "--file",
                 str(message), "--update-template", "--name", "N", "--yes", "--json")
    assert result.exit_code == 0, result.output
    (row,) = site.query("SELECT msg_title, msg_text FROM civicrm_msg_template WHERE id = 68")
    assert row == {"msg_title": "SMS Spring reminder",
                   "msg_text": "Edited: hi {contact.first_name}!"}
    (sms,) = activities(site, "SMS")
    assert sms["details"] == "Edited: hi {contact.first_name}!"
