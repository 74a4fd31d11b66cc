"""A mass SMS end to end, as an administrator runs it: create, preview, schedule, send."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from civisms.cli import main

if TYPE_CHECKING:
    from conftest import SiteDb


@pytest.fixture
def civisms(site: SiteDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CIVISMS_BACKEND", "db")
    monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    monkeypatch.setenv("CIVISMS_OUTBOX", str(tmp_path / "outbox.jsonl"))

    def run(*args: str) -> Any:
        result = CliRunner().invoke(main, [*args, "--json"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    return run


def test_create_preview_schedule_and_send(civisms, site: SiteDb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    draft = civisms("mailing", "create", "--name", "Spring drive",
                    "--include-group", "SMS Supporters", "--exclude-group", "Board Members",
                    "--text", "Hi {contact.first_name}, see you Saturday!")
    mailing_id = draft["id"]
    assert draft["recipients"] == 4  # Alice, Carla, Hélène, the Co-op (Grace is excluded)
    preview = civisms("mailing", "preview", str(mailing_id), "--contact", "9")
    assert preview["text"] == "Hi Hélène, see you Saturday!"
    assert civisms("mailing", "list", "--drafts")[0]["id"] == mailing_id

    civisms("mailing", "schedule", str(mailing_id), "--now")
    civisms("jobs", "run", "--once")
    status = civisms("mailing", "status", str(mailing_id))
    assert {k: status[k] for k in ("status", "recipients", "sent", "failed", "unknown")} == {
        "status": "Complete", "recipients": 4, "sent": 4, "failed": 0, "unknown": 0,
    }

    sent = [json.loads(line) for line in (tmp_path / "outbox.jsonl").read_text().splitlines()]
    assert sorted(m["contact_id"] for m in sent) == [3, 5, 9, 12]
    (mass,) = site.query(
        "SELECT a.id, a.subject, a.source_record_id FROM civicrm_activity a "
        "JOIN civicrm_option_value ov ON ov.value = a.activity_type_id AND ov.name = 'Mass SMS' "
        "JOIN civicrm_option_group og ON og.id = ov.option_group_id AND og.name = 'activity_type'"
    )
    assert (mass["subject"], mass["source_record_id"]) == ("Spring drive", mailing_id)
    targets = site.query(
        "SELECT contact_id FROM civicrm_activity_contact WHERE activity_id = %s "
        "AND record_type_id = 3 ORDER BY contact_id", [mass["id"]],
    )
    assert [t["contact_id"] for t in targets] == [3, 5, 9, 12]

    # A second run finds nothing left to send: nobody is texted twice.
    civisms("jobs", "run", "--once")
    assert len((tmp_path / "outbox.jsonl").read_text().splitlines()) == 4
