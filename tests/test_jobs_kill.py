"""SIGKILL a running ``civisms jobs run`` again and again during a large mailing, then resume.

The gateway runs in its own process and logs every ``To`` it accepts. Whatever the moment
of each kill (splitting, queueing, claiming, sending, recording), at the end every
recipient was texted exactly once or is reported 'unknown': none twice, none lost.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from mailing_factory import add_bulk_recipients, schedule_mailing, use_gateway

if TYPE_CHECKING:
    from conftest import SiteDb

ROOT = Path(__file__).resolve().parent.parent
RECIPIENTS = 6000
KILLS = 8


def start_gateway(log: Path, latency: float) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "fast_gateway.py"),
                             "--latency", str(latency), "--log", str(log)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    port = int(proc.stdout.readline().split()[1])
    return proc, f"http://127.0.0.1:{port}"


def test_sigkill_at_random_moments_never_sends_twice_nor_loses(site: SiteDb,
                                                             tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("CIVISMS_KILL_SEED", "0")) or None)
    log = tmp_path / "accepted.txt"
    gateway, url = start_gateway(log, latency=0.005)
    try:
        use_gateway(site, url, mps=100000)
        mailing = schedule_mailing(site, include=(), exclude=())
        add_bulk_recipients(site, mailing, RECIPIENTS)
        env = {**os.environ, "CIVISMS_BACKEND": "db", "CIVISMS_DB_URL": site.url}
        env.pop("CIVISMS_CONFIG", None)
        cmd = [sys.executable, "-m", "civisms", "jobs", "run", "--once", "--no-progress",
               "--workers", "2", "--concurrency", "16", "--batch", "40", "--job-size", "1000",
               "--mps", "2000"]
        kills = 0
        for _ in range(KILLS):
            proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.2, 1.4))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)  # the leader only: helpers die with it
                kills += 1
            proc.wait()
        for _ in range(5):  # then let it finish
            subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
            if site.scalar("SELECT is_completed FROM civicrm_mailing WHERE id = %s", [mailing]):
                break
        time.sleep(0.2)  # the gateway has logged every request it answered
    finally:
        gateway.send_signal(signal.SIGTERM)
        gateway.wait(timeout=10)

    assert kills >= 3, "the runs finished too fast to be killed: raise RECIPIENTS"
    accepted = Counter(log.read_text().split())
    twice = {n: c for n, c in accepted.items() if c > 1}
    assert not twice, f"texted more than once: {twice}"

    rows = site.query(
        "SELECT q.id, p.phone, s.state FROM civicrm_mailing_event_queue q "
        "JOIN civicrm_phone p ON p.id = q.phone_id "
        "LEFT JOIN civisms_queue_state s ON s.event_queue_id = q.id")
    assert len(rows) == RECIPIENTS == len({r["phone"] for r in rows})  # queued once each
    states = Counter(r["state"] for r in rows)
    assert set(states) <= {"sent", "unknown"}, states  # nothing pending, nothing lost
    for row in rows:
        if row["state"] == "sent":
            assert accepted[row["phone"]] == 1, row
    unknown = {r["phone"] for r in rows if r["state"] == "unknown"}
    assert all(accepted[p] == 1 or p in unknown for p in (r["phone"] for r in rows))
    delivered = site.scalar("SELECT COUNT(*) FROM civicrm_mailing_event_delivered")
    assert delivered == states["sent"]
    assert site.scalar("SELECT is_completed FROM civicrm_mailing WHERE id = %s", [mailing]) == 1
    print(f"kills={kills} sent={states['sent']} unknown={states['unknown']}")
