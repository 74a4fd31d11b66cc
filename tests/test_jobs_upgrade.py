"""civisms_queue_state made by an older civisms: its keys are upgraded in place, rows kept."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import MySQLdb
import pytest
from fake_gateway import fake_twilio
from mailing_factory import schedule_mailing, use_gateway
from test_jobs import make_jobs

from civisms.civicrm.db import DbCiviCRM
from civisms.civicrm.jobstore import JobStore

if TYPE_CHECKING:
    from conftest import SiteDb

OLD_TABLE = """
CREATE TABLE civisms_queue_state (
  event_queue_id INT UNSIGNED NOT NULL PRIMARY KEY,
  mailing_id INT UNSIGNED NOT NULL,
  job_id INT UNSIGNED NOT NULL,
  state ENUM('sending', 'sent', 'failed', 'unknown') NOT NULL,
  worker VARCHAR(128) NULL,
  claimed_at TIMESTAMP NULL DEFAULT NULL,
  provider_message_id VARCHAR(255) NULL,
  error VARCHAR(512) NULL,
  KEY civisms_queue_state_job (job_id, state),
  KEY civisms_queue_state_mailing (mailing_id, state)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
"""


def keys(site: SiteDb) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for row in site.query("SELECT index_name, column_name FROM information_schema.statistics "
                          "WHERE table_schema = DATABASE() AND table_name = "
                          "'civisms_queue_state' ORDER BY index_name, seq_in_index"):
        found.setdefault(row["index_name"], []).append(row["column_name"])
    return found


def test_older_keys_lose_state_and_the_rows_stay(site: SiteDb, monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    site.execute(OLD_TABLE)
    site.execute("INSERT INTO civisms_queue_state (event_queue_id, mailing_id, job_id, state, "
                 "worker) VALUES (900001, 77, 78, 'unknown', 'old:1')")
    jobs = make_jobs(site, monkeypatch)
    with fake_twilio() as gateway, caplog.at_level(logging.INFO, "civisms.jobs"):
        use_gateway(site, gateway.url)
        schedule_mailing(site, text="Hello {contact.first_name}")
        result, data = jobs("--once")
    assert result.exit_code == 0, result.output
    assert data["total"]["sent"] == 4 == len(gateway.accepted)
    assert keys(site) == {"PRIMARY": ["event_queue_id"], "civisms_queue_state_job": ["job_id"],
                          "civisms_queue_state_mailing": ["mailing_id"]}
    assert site.scalar("SELECT state FROM civisms_queue_state WHERE event_queue_id = 900001") \
        == "unknown"
    assert site.scalar("SELECT COUNT(*) FROM civisms_queue_state WHERE state = 'sent'") == 4
    assert "table=civisms_queue_state keys=without_state" in caplog.text


def test_upgrade_waits_briefly_behind_an_open_transaction_then_goes_on(
        site: SiteDb, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    site.execute(OLD_TABLE)
    other = MySQLdb.connect(host=site.params.host, port=site.params.port, user=site.params.user,
                            passwd=site.params.password, db=site.name, autocommit=False)
    try:
        other.cursor().execute("SELECT COUNT(*) FROM civisms_queue_state")  # holds its lock
        monkeypatch.setattr(JobStore, "UPGRADE_WAIT", 1)
        store = JobStore(DbCiviCRM(site.params), "test:1")
        with caplog.at_level(logging.WARNING, "civisms.jobs"):
            store.prepare()  # neither hangs nor fails: the next run upgrades
        assert "keeps its older keys for now" in caplog.text
        assert keys(site)["civisms_queue_state_job"] == ["job_id", "state"]
        # The session's own wait is back to the server's default.
        assert store.db.rows("SELECT @@SESSION.lock_wait_timeout = @@GLOBAL.lock_wait_timeout"
                             " AS same")[0]["same"] == 1
    finally:
        other.rollback()
        other.close()
    JobStore(DbCiviCRM(site.params), "test:2").prepare()
    assert keys(site)["civisms_queue_state_job"] == ["job_id"]
