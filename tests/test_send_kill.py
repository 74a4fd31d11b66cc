"""Kill ``civisms send`` at random moments, then ``--resume``: nobody texted twice, nobody
texted without a record.

The gateway runs in its own process and logs every ``To`` it accepts. Whatever the moment
of each SIGKILL (planning, journaling, claiming, sending, recording), at the end every
number the gateway received is recorded in CiviCRM exactly as a normal send records it
(an ``SMS delivery`` activity with the gateway id, a target on the send's one ``SMS``
activity) or listed as ``unknown``. Ctrl-C and SIGTERM stop gracefully with the resume
command and exit 130 / 143.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from mailing_factory import use_gateway
from test_jobs_kill import start_gateway
from test_send import activities, contacts_of

if TYPE_CHECKING:
    from conftest import SiteDb

ROOT = Path(__file__).resolve().parent.parent
FIRST_ID = 2_000_000


def add_contacts(site: SiteDb, count: int) -> list[int]:
    """``count`` Individuals with one primary mobile each (+1 415 2xx xxxx, distinct)."""
    conn = site._connect()
    try:
        cur = conn.cursor()
        ids = [FIRST_ID + i for i in range(count)]
        cur.executemany(
            "INSERT INTO civicrm_contact (id, contact_type, first_name, last_name, "
            "display_name, sort_name) VALUES (%s, 'Individual', %s, 'Kill', %s, %s)",
            [(c, f"K{c}", f"K{c} Kill", f"Kill, K{c}") for c in ids])
        cur.executemany(
            "INSERT INTO civicrm_phone (id, contact_id, location_type_id, is_primary, "
            "phone, phone_type_id) VALUES (%s, %s, 1, 1, %s, 2)",
            [(c, c, f"+1415{2000000 + c - FIRST_ID:07d}") for c in ids])
        conn.commit()
    finally:
        conn.close()
    return ids


def environment(site: SiteDb, tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "CIVISMS_BACKEND": "db", "CIVISMS_DB_URL": site.url,
           "CIVISMS_SOURCE_CONTACT_ID": "2", "CIVISMS_OUTBOX": str(tmp_path / "out.jsonl")}
    env.pop("CIVISMS_CONFIG", None)
    return env


def send_command(ids_file: Path) -> list[str]:
    return [sys.executable, "-m", "civisms", "send", "--contacts-file", str(ids_file),
            "--provider", "3", "--name", "Kill test", "--text", "Hi {contact.first_name}",
            "--yes", "--json", "--no-progress"]


def resume_command(send_id: int) -> list[str]:
    return [sys.executable, "-m", "civisms", "send", "--resume", str(send_id), "--json",
            "--no-progress"]


def the_send(site: SiteDb) -> int | None:
    found = site.scalar("SELECT MAX(id) FROM civisms_send") if site.scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
        "AND table_name = 'civisms_send'") else None
    return int(found) if found else None


def check_every_number_once_and_recorded(site: SiteDb, accepted: Counter[str],
                                         send_id: int, total: int) -> dict[str, int]:
    twice = {n: c for n, c in accepted.items() if c > 1}
    assert not twice, f"texted more than once: {twice}"
    rows = site.query("SELECT contact_id, phone, state, gateway_id, activity_id "
                      "FROM civisms_outbox WHERE send_id = %s", [send_id])
    assert len(rows) == total == len({r["phone"] for r in rows})  # journaled once each
    states = Counter(r["state"] for r in rows)
    assert set(states) <= {"sent", "unknown"}, states  # nothing pending, nothing lost
    by_phone = {r["phone"]: r for r in rows}
    unrecorded = [p for p in accepted if by_phone[p]["state"] not in ("sent", "unknown")]
    assert not unrecorded, f"texted without a record: {unrecorded[:5]}"
    (sms,) = activities(site, "SMS")  # one SMS activity for the whole send
    targets = set(contacts_of(site, sms["id"], "Activity Targets"))
    deliveries = {d["id"]: d for d in activities(site, "SMS delivery")}
    sent = [r for r in rows if r["state"] == "sent"]
    assert len(deliveries) == len(sent) and len(targets) == len(sent)
    for row in sent:
        assert accepted[row["phone"]] == 1, row
        assert deliveries[row["activity_id"]]["result"] == row["gateway_id"]
        assert row["contact_id"] in targets
    return dict(states)


def test_sigkill_at_random_moments_then_resume(site: SiteDb, tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("CIVISMS_KILL_SEED", "0")) or None)
    total = 3000
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(map(str, add_contacts(site, total))) + "\n")
    log = tmp_path / "accepted.txt"
    # Slow enough that each of the 7 runs is still sending when it is killed, on a quiet
    # machine too (at 0.05 s the whole send could end within the first two runs). The rate
    # limit matters as much: at 150 ms the in-flight window grows to the provider's rate
    # (Little's law), and without a limit a run sent the 3,000 in about a second, so that
    # one CI run in a few saw only two kills.
    gateway, url = start_gateway(log, latency=0.15)
    env = environment(site, tmp_path)
    kills = 0
    try:
        use_gateway(site, url, mps=500)  # 3,000 messages: at least 6 s of sending
        for _ in range(7):
            send_id = the_send(site)
            cmd = send_command(ids_file) if send_id is None else resume_command(send_id)
            proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.5, 2.5))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait()
        send_id = the_send(site)
        assert send_id is not None
        done = subprocess.run(resume_command(send_id), env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        report = json.loads(done.stdout)
        assert report["pending"] == []
        assert done.returncode == (1 if report["unknown"] else 0), done.stderr
        time.sleep(0.2)  # the gateway has logged every request it answered
    finally:
        gateway.send_signal(signal.SIGTERM)
        gateway.wait(timeout=10)
    assert kills >= 3, "the sends finished too fast to be killed: raise the total"
    states = check_every_number_once_and_recorded(site, Counter(log.read_text().split()),
                                                  send_id, total)
    print(f"kills={kills} {states}")


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_stops_gracefully_and_resume_finishes(site: SiteDb, tmp_path: Path, sig: int,
                                                      code: int) -> None:
    total = 600
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(map(str, add_contacts(site, total))) + "\n")
    log = tmp_path / "accepted.txt"
    # Slow enough that each of the 7 runs is still sending when it is killed, on a quiet
    # machine too (at 0.05 s the whole send could end within the first two runs). The rate
    # limit matters as much: at 150 ms the in-flight window grows to the provider's rate
    # (Little's law), and without a limit a run sent the 3,000 in about a second, so that
    # one CI run in a few saw only two kills.
    gateway, url = start_gateway(log, latency=0.15)
    env = environment(site, tmp_path)
    try:
        use_gateway(site, url, mps=300)  # 2 s of sending
        proc = subprocess.Popen(send_command(ids_file), env=env, cwd=ROOT, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while (not log.exists() or len(log.read_text().split()) < 50) and \
                time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == code, err
        stopped: dict[str, Any] = json.loads(out)
        send_id = stopped["send_id"]
        assert f"civisms send --resume {send_id}" in err
        assert stopped["pending"] and stopped["unknown"] == []  # in-flight ones finished
        done = subprocess.run(resume_command(send_id), env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        time.sleep(0.2)
    finally:
        gateway.send_signal(signal.SIGTERM)
        gateway.wait(timeout=10)
    states = check_every_number_once_and_recorded(site, Counter(log.read_text().split()),
                                                  send_id, total)
    assert states == {"sent": total}
