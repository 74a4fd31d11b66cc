"""CPU seconds of a benchmarked run: the process tree's, and MariaDB's on its behalf.

The machine is shared, so wall-clock rates are noisy; CPU per message is not. MariaDB runs
one OS thread per connection (``information_schema.PROCESSLIST.TID``), so the CPU its
server spent for a run is read per thread from ``/proc/<mysqld>/task/<tid>/stat`` for the
connections that use the run's database, sampled while the run goes (a thread is reused
after its connection closes). The whole server's CPU over the run is read too: it adds
InnoDB's background work (flushing, purge) but also whatever other clients did meanwhile.
"""

from __future__ import annotations

import os
import resource
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civisms.civicrm.dbconn import connect
from civisms.config import DbParams

TICK = os.sysconf("SC_CLK_TCK")


def mysqld_pid() -> int | None:
    """The pid of the local MariaDB server (None when it runs elsewhere or is unreadable)."""
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "comm").read_text().strip() in ("mariadbd", "mysqld"):
                    return int(proc.name)
            except OSError:
                continue
    return None


def _ticks(stat: Path) -> int:
    """utime + stime of a /proc stat file, in clock ticks (0 when it is gone)."""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    return int(fields[11]) + int(fields[12])


@dataclass
class Usage:
    """CPU seconds of one run."""

    wall: float = 0.0
    process: float = 0.0  # the run's process and its helpers (user + system)
    system: float = 0.0  # of which in the kernel (sockets, futexes)
    mysqld_sessions: float = 0.0  # MariaDB threads serving the run's connections
    mysqld_total: float = 0.0  # the whole server during the run (others included)
    sessions: dict[int, list[int]] = field(default_factory=dict)  # tid -> [first, last]
    stderr: str = ""  # what the run wrote there (its log lines, an error)


def run_measured(argv: list[str], env: dict[str, str], cwd: Path, database: str,
                 params: DbParams, every: float = 0.1) -> tuple[str, Usage]:
    """Run ``argv`` to completion; its stdout and the CPU it (and MariaDB for it) used."""
    pid = mysqld_pid()
    server = Path(f"/proc/{pid}") if pid else None
    conn = connect(params, database=False)
    usage = Usage()
    baseline: dict[int, int] = {}
    if server is not None:
        for task in (server / "task").iterdir():
            baseline[int(task.name)] = _ticks(task / "stat")
    total_before = _ticks(server / "stat") if server else 0
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        while proc.poll() is None:
            if server is not None:
                _sample(conn, server, database, baseline, usage)
            time.sleep(every)
        out, err = proc.communicate()
        usage.stderr = err
    finally:
        if proc.poll() is None:
            proc.kill()
        conn.close()
    usage.wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    usage.process = (after.ru_utime - children_before.ru_utime
                     + after.ru_stime - children_before.ru_stime)
    usage.system = after.ru_stime - children_before.ru_stime
    if server is not None:
        usage.mysqld_total = (_ticks(server / "stat") - total_before) / TICK
        usage.mysqld_sessions = sum(last - first for first, last in usage.sessions.values()) / TICK
    if proc.returncode not in (0, 1):
        raise subprocess.CalledProcessError(proc.returncode, argv, out, err)
    return out, usage


def _sample(conn: Any, server: Path, database: str,
            baseline: dict[int, int], usage: Usage) -> None:
    cur = conn.cursor()
    cur.execute("SELECT TID FROM information_schema.PROCESSLIST WHERE DB = %s AND ID <> "
                "CONNECTION_ID()", (database,))
    for (tid,) in cur.fetchall():
        now = _ticks(server / "task" / str(tid) / "stat")
        first_last = usage.sessions.setdefault(int(tid), [baseline.get(int(tid), 0), now])
        first_last[1] = max(first_last[1], now)
    cur.close()
