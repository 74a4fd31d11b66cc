"""Benchmark: civisms' peak memory and time against a hostile gateway (issue 18).

    .venv/bin/python bench/bench_hostile.py [--timeout 5]

Builds a throw-away sample site on the local MariaDB, starts tests/hostile_gateway.py in
its own process (a gzip bomb inflating to 6 GiB, a 2 GiB body, a trickle of one byte a
second), points the Twilio row at it and runs real ``civisms`` commands as a user would:
``providers test`` on each HTTP client (requests, urllib3, http.client), ``send`` and
``jobs run --once``. For each it prints the exit code, the seconds taken and the peak
resident memory of the command's process (``wait4``'s ru_maxrss). Last, ``jobs run``
against the trickle gets SIGTERM once messages are in flight: it prints how long the run
took to exit and the state of its rows.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from mailing_factory import add_bulk_recipients, schedule_mailing  # noqa: E402

from civisms.civicrm import install  # noqa: E402

MODES = {"bomb": 6 << 30, "huge": 2 << 30, "trickle": 1_000_000}


class Site:
    """Just what mailing_factory needs from the tests' SiteDb."""

    def __init__(self, name: str) -> None:
        from dataclasses import replace

        self.name = name
        self.params = replace(install.local_server(), database=name)

    @property
    def url(self) -> str:
        p = self.params
        auth = p.user + (f":{p.password}" if p.password else "")
        return f"mysql://{auth}@{p.host}:{p.port}/{self.name}"

    def _connect(self) -> object:
        import MySQLdb.cursors

        conn = install.connect(self.params)
        conn.cursorclass = MySQLdb.cursors.DictCursor
        return conn

    def query(self, sql: str, args: object = None) -> list[dict]:
        conn = self._connect()
        try:
            cur = conn.cursor()  # type: ignore[attr-defined]
            cur.execute(sql, args)
            return list(cur.fetchall())
        finally:
            conn.close()  # type: ignore[attr-defined]

    def scalar(self, sql: str, args: object = None) -> object:
        rows = self.query(sql, args)
        return next(iter(rows[0].values())) if rows else None

    def execute(self, sql: str, args: object = None) -> int:
        conn = install.connect(self.params)
        try:
            return int(conn.cursor().execute(sql, args))
        finally:
            conn.close()


def gateway(mode: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "hostile_gateway.py"),
                             "--mode", mode, "--size", str(MODES[mode])],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    port = int(proc.stdout.readline().split()[1])
    return proc, f"http://127.0.0.1:{port}"


def run(args: list[str], env: dict[str, str], *, term_after: float | None = None
        ) -> tuple[int, float, float, float | None]:
    """Exit code, seconds, peak RSS in MB, and seconds from SIGTERM to exit."""
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "civisms", *args], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stopped = None
    if term_after is not None:
        time.sleep(term_after)
        proc.send_signal(signal.SIGTERM)
        term_at = time.monotonic()
    _, status, usage = os.wait4(proc.pid, 0)
    if term_after is not None:
        stopped = time.monotonic() - term_at
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.monotonic() - start, usage.ru_maxrss / 1024, stopped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=5.0, help="civisms_timeout, seconds")
    opts = parser.parse_args()
    name = f"civisms_bench_{uuid.uuid4().hex[:8]}"
    install.install_site(install.local_server(), name, schema="subset", sample=True)
    site = Site(name)
    env = {**os.environ, "CIVISMS_BACKEND": "db", "CIVISMS_DB_URL": site.url,
           "CIVISMS_SOURCE_CONTACT_ID": "2"}
    env.pop("CIVISMS_CONFIG", None)
    print(f"{'gateway':8} {'command':34} {'rc':>3} {'seconds':>8} {'peak MB':>8}")
    try:
        for mode in MODES:
            proc, url = gateway(mode)
            try:
                for http in ("requests", "urllib3", "http.client"):
                    site.execute(
                        "UPDATE civicrm_sms_provider SET is_active = 1, api_url = %s, "
                        "username = 'AC0123456789abcdef0123456789abcdef', password = 'tok', "
                        "api_params = %s WHERE id = 3",
                        [url, f"From=+15550003000\ncivisms_mps=1000\ncivisms_http={http}\n"
                              f"civisms_timeout={opts.timeout:g}"])
                    rc, secs, peak, _ = run(["providers", "test", "3", "--to", "+14155550199"],
                                            env)
                    print(f"{mode:8} {'providers test (' + http + ')':34} {rc:>3} "
                          f"{secs:>8.2f} {peak:>8.1f}")
                rc, secs, peak, _ = run(["send", "--group", "SMS Supporters", "--provider", "3",
                                         "--name", "N", "--text", "Hi", "--yes"], env)
                print(f"{mode:8} {'send (6 contacts, requests)':34} {rc:>3} {secs:>8.2f} "
                      f"{peak:>8.1f}")
                mailing = schedule_mailing(site)  # type: ignore[arg-type]
                rc, secs, peak, _ = run(["jobs", "run", "--once", "--no-progress",
                                         "--workers", "1"], env)
                states = site.query("SELECT state, COUNT(*) AS n FROM civisms_queue_state "
                                    "WHERE mailing_id = %s GROUP BY state", [mailing])
                shown = ", ".join(f"{r['state']} {r['n']}" for r in states)
                print(f"{mode:8} {'jobs run --once (http.client)':34} {rc:>3} {secs:>8.2f} "
                      f"{peak:>8.1f}   rows: {shown}")
                if mode == "trickle":
                    site.execute("UPDATE civicrm_sms_provider SET api_params = REPLACE("
                                 "api_params, %s, 'civisms_timeout=600') WHERE id = 3",
                                 [f"civisms_timeout={opts.timeout:g}"])
                    mailing = schedule_mailing(site, include=(), exclude=())  # type: ignore[arg-type]
                    add_bulk_recipients(site, mailing, 200)  # type: ignore[arg-type]
                    rc, secs, peak, stopped = run(
                        ["jobs", "run", "--once", "--no-progress", "--workers", "1"], env,
                        term_after=3.0)
                    states = site.query("SELECT state, COUNT(*) AS n FROM civisms_queue_state "
                                        "WHERE mailing_id = %s GROUP BY state", [mailing])
                    shown = ", ".join(f"{r['state']} {r['n']}" for r in states)
                    print(f"{mode:8} {'jobs run, SIGTERM after 3 s':34} {rc:>3} {secs:>8.2f} "
                          f"{peak:>8.1f}   exited {stopped:.2f} s after SIGTERM; rows: {shown}")
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=10)
    finally:
        install.drop_database(install.local_server(), name)


if __name__ == "__main__":
    main()
