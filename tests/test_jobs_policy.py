"""``jobs run`` on mailings made in CiviCRM whose text civisms must not send as it is:
unknown or unclosed tokens, and messages over the length policy (issue 13)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner
from fake_gateway import fake_twilio
from mailing_factory import schedule_mailing, seed_bounce_types, use_gateway
from test_jobs import make_jobs

from civisms.cli import main

if TYPE_CHECKING:
    from conftest import SiteDb

LONG = "Hi {contact.first_name}, " + "the Spring drive starts on Saturday morning. " * 4


@pytest.fixture
def jobs(site: SiteDb, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    seed_bounce_types(site)
    monkeypatch.delenv("CIVISMS_MAX_SEGMENTS", raising=False)
    return make_jobs(site, monkeypatch)


def civisms(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_unknown_and_unclosed_tokens_pause_the_mailing_real_ones_render_empty(
        jobs: Any, site: SiteDb) -> None:
    with fake_twilio() as gateway:
        use_gateway(site, gateway.url)
        bad = schedule_mailing(site, text="Ref {contact.contact_id} / nick "
                                          "[{contact.nickname_x}] / {contact.first_name")
        good = schedule_mailing(site, name="Made in CiviCRM",
                                text="Ref {contact.contact_id} {mailing.name}/{contact.first_name}")
        shown = json.loads(civisms("mailing", "preview", str(bad), "--json").output)
        assert any("nickname_x" in p for p in shown["token_problems"])
        assert any("unclosed" in p for p in shown["token_problems"])
        _result, data = jobs("--once")
    assert "nickname_x" in data["paused"][str(bad)]
    assert site.scalar("SELECT status FROM civicrm_mailing WHERE id = %s", [bad]) == "Paused"
    assert "unclosed" in site.scalar("SELECT reason FROM civisms_mailing_pause "
                                     "WHERE mailing_id = %s", [bad])
    texts = sorted(m["Body"] for m in gateway.accepted)
    assert texts and all("{" not in t and "}" not in t for t in texts)
    assert "Ref 3 /Alice" in texts  # {mailing.name}: a real token civisms lacks, empty
    status = json.loads(civisms("mailing", "status", str(good), "--json").output)
    assert status["rendered_empty"] == ["{mailing.name}"] and status["token_problems"] == []


def test_a_message_over_the_policy_pauses_and_resume_with_an_override_sends_it(
        jobs: Any, site: SiteDb) -> None:
    with fake_twilio() as gateway:
        use_gateway(site, gateway.url)
        mailing = schedule_mailing(site, text=LONG)
        status = json.loads(civisms("mailing", "status", str(mailing), "--json").output)
        assert status["over_policy"] == 4 and status["most_segments"] == 2
        _result, data = jobs("--once")
        assert gateway.accepted == []
        assert "--max-segments 2" in data["paused"][str(mailing)]
        assert site.scalar("SELECT status FROM civicrm_mailing WHERE id = %s",
                           [mailing]) == "Paused"
        assert site.scalar("SELECT COUNT(*) FROM civisms_queue_state") == 0  # all pending
        out = civisms("mailing", "resume", str(mailing), "--max-segments", "2")
        assert out.exit_code == 0, out.output
        _result, data = jobs("--once")
    assert data["total"]["sent"] == 4 and len(gateway.accepted) == 4
    assert site.scalar("SELECT status FROM civicrm_mailing WHERE id = %s", [mailing]) == \
        "Complete"


def test_civisms_own_commands_refuse_a_mailing_over_the_policy(
        jobs: Any, site: SiteDb) -> None:
    made = civisms("mailing", "create", "--name", "Long", "--provider", "2", "--include-group",
                   "2", "--text", LONG)
    assert made.exit_code == 2 and "segments" in made.output
    assert site.scalar("SELECT COUNT(*) FROM civicrm_mailing") == 0  # nothing left behind
    made = civisms("mailing", "create", "--name", "Short", "--provider", "2",
                   "--include-group", "2", "--text", "Hi {contact.first_name}", "--json")
    mid = json.loads(made.output)["id"]
    upd = civisms("mailing", "update", str(mid), "--text", LONG)
    assert upd.exit_code == 2 and "segments" in upd.output
    assert site.scalar("SELECT body_text FROM civicrm_mailing WHERE id = %s", [mid]) == \
        "Hi {contact.first_name}"
    site.execute("UPDATE civicrm_mailing SET body_text = %s WHERE id = %s", [LONG, mid])
    sched = civisms("mailing", "schedule", str(mid), "--now")
    assert sched.exit_code == 2 and "segments" in sched.output
    assert site.scalar("SELECT COUNT(*) FROM civicrm_mailing_job") == 0
