"""Benchmark ``civisms jobs run`` against a local HTTP gateway (issue 6, benchmarks a-c).

    .venv/bin/python bench/bench_jobs.py [--recipients 20000,100000] [--workers N]
        [--concurrency N] [--slow-recipients 20000] [--slow-concurrency N]
        [--slow-mps 1000] [--memory 10000,1000000] [--memory-limit 20000]
        [--defaults-recipients 20000] [--defaults-repeat 2] [--skip a,b,c,d]

Flags not given are civisms' defaults (what ``civisms jobs run --once`` picks).

(a) throughput of a mailing with every row written (queue, delivered, SMS delivery
    activities, Mass SMS targets, civisms_queue_state), as a ratio to a bare single-process
    ``http.client`` loop posting the same requests to the same gateway in the same run, and
    CPU per message of civisms (process and helpers) and of MariaDB (``bench/cpu.py``);
(b) the same through a gateway answering after 200 ms: bounded by the rate limit and by
    concurrency / latency, whichever is lower;
(c) peak memory (max RSS of the ``jobs run`` process) for a small and a huge mailing:
    the whole queue is built, then the first ``--memory-limit`` messages are sent;
(d) ``jobs run --once`` with default flags against ``--workers 2 --concurrency 64``
    (``--defaults-recipients``, ``--defaults-repeat`` alternating runs).

Each case gets a throw-away site on the local MariaDB (CIVISMS_TEST_DB_*, as the tests)
and the gateway of ``bench/fast_gateway.py`` in its own process. Prints each figure.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import SiteDb, _server_params  # noqa: E402
from cpu import Usage, run_measured  # noqa: E402
from mailing_factory import add_bulk_recipients, schedule_mailing, use_gateway  # noqa: E402

from civisms.civicrm import install  # noqa: E402

TEXT = "Hi {contact.first_name}, the Spring drive starts Saturday at 10:00. Reply STOP to opt out."


def gateway(latency: float) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "fast_gateway.py"),
                             "--latency", str(latency)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline().split()[1])


NGINX_CONF = """
worker_processes 1;
pid nginx.pid;
error_log error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 10000000;
    keepalive_timeout 60s;
    client_body_temp_path body;
    server {
        listen 127.0.0.1:%(port)d reuseport;
        default_type application/json;
        location / {
            return 201 '{"sid": "SM$request_id", "status": "queued", "num_segments": "1"}';
        }
    }
}
"""


class Nginx:
    """A local nginx answering every request at once with a Twilio-like 201 (``sid`` from
    nginx's own request id), as issue 17 measured; stopped with ``kill``."""

    def __init__(self) -> None:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise SystemExit("--gateway nginx: nginx is not installed (apt-get install "
                             "nginx-light)")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.dir = Path(tempfile.mkdtemp(prefix="civisms-nginx-"))
        (self.dir / "nginx.conf").write_text(NGINX_CONF % {"port": self.port})
        self.proc = subprocess.Popen([binary, "-p", str(self.dir), "-c", "nginx.conf",
                                      "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise SystemExit("nginx did not start: " + (self.dir / "error.log").read_text())

    def kill(self) -> None:
        self.proc.terminate()  # nginx's fast shutdown: the master stops its worker too
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def instant_gateway(kind: str) -> tuple[Nginx | subprocess.Popen[str], int]:
    """The gateway answering at once: ``fast_gateway.py`` (asyncio) or nginx."""
    if kind == "nginx":
        server = Nginx()
        return server, server.port
    return gateway(0.0)


def bare_loop(port: int, count: int = 20000) -> float:
    """Requests per second of one process posting Twilio-shaped forms with http.client."""
    body = urlencode({"To": "+14155550101", "From": "+15550003000",
                      "Body": "Hi P1, the Spring drive starts Saturday at 10:00. Reply STOP to "
                              "opt out."})
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "Authorization": "Basic QUMwMTIzOng="}
    conn = http.client.HTTPConnection("127.0.0.1", port)
    start = time.perf_counter()
    for _ in range(count):
        conn.request("POST", "/2010-04-01/Accounts/AC0123/Messages.json", body=body,
                     headers=headers)
        conn.getresponse().read()
    elapsed = time.perf_counter() - start
    conn.close()
    return count / elapsed


def make_site(recipients: int, port: int, mps: float) -> SiteDb:
    params = _server_params()
    name = f"civisms_bench_{uuid.uuid4().hex[:8]}"
    install.install_site(params, name, schema="subset", sample=True)
    from dataclasses import replace

    site = SiteDb(name, replace(params, database=name), "subset", True)
    use_gateway(site, f"http://127.0.0.1:{port}", mps=mps)
    mailing = schedule_mailing(site, text=TEXT, include=(), exclude=())
    add_bulk_recipients(site, mailing, recipients)
    time.sleep(5)  # let MariaDB flush and purge after the bulk load, before timing
    return site


def run_jobs(site: SiteDb, *args: str) -> tuple[dict, Usage]:
    """Run ``civisms jobs run --once --json``; its summary and the CPU it used."""
    env = {**os.environ, "CIVISMS_BACKEND": "db", "CIVISMS_DB_URL": site.url}
    env.pop("CIVISMS_CONFIG", None)
    profile = os.environ.get("BENCH_PROFILE")  # a py-spy output file: sample the run
    spy = [str(Path(sys.executable).with_name("py-spy")), "record", "--subprocesses",
           *os.environ.get("BENCH_PROFILE_FLAGS", "").split(), "--format", "raw", "--gil",
           "--rate", "250", "-o", profile, "--"] if profile else []
    # A command to run civisms under, e.g. "perf stat -e context-switches -o /tmp/p.txt".
    spy = spy or shlex.split(os.environ.get("BENCH_WRAP", ""))
    out, usage = run_measured([*spy, sys.executable, "-m", "civisms", "jobs", "run", "--once",
                               "--json", "--no-progress", *args], env, ROOT, site.name,
                              site.params)
    # py-spy adds its own lines around civisms' JSON document.
    if "{" not in out:
        raise SystemExit(f"civisms jobs run printed no summary:\n{usage.stderr[-3000:]}")
    summary, _ = json.JSONDecoder().raw_decode(out[out.index("{"):])
    return summary, usage


def flags(workers: int | None, concurrency: int | None) -> list[str]:
    """Command-line flags; None leaves civisms' default."""
    out = [] if workers is None else ["--workers", str(workers)]
    return out + ([] if concurrency is None else ["--concurrency", str(concurrency)])


def said(values: list[str]) -> str:
    return " ".join(values) or "default flags"


def check_rows(site: SiteDb, expected: int) -> None:
    delivered = site.scalar("SELECT COUNT(*) FROM civicrm_mailing_event_delivered")
    deliveries = site.scalar("SELECT COUNT(*) FROM civicrm_activity WHERE activity_type_id = "
                             "(SELECT value FROM civicrm_option_value WHERE name='SMS delivery' "
                             "AND option_group_id = (SELECT id FROM civicrm_option_group "
                             "WHERE name = 'activity_type'))")
    targets = site.scalar("SELECT COUNT(*) FROM civicrm_activity_contact")
    assert delivered == expected == deliveries, (delivered, deliveries, expected)
    print(f"    rows: {delivered} delivered, {deliveries} SMS delivery activities, "
          f"{targets} activity contacts")


def drop(site: SiteDb) -> None:
    install.drop_database(_server_params(), site.name)


def case_a(args: argparse.Namespace) -> None:
    proc, port = instant_gateway(args.gateway)
    try:
        for size in (int(n) for n in args.recipients.split(",")):
            site = make_site(size, port, mps=1_000_000)
            try:
                before = bare_loop(port)
                used = flags(args.workers, args.concurrency)
                summary, usage = run_jobs(site, *used)
                # The loop before and after civisms, averaged: one reading drifts by 20 %
                # on this machine, and the ratio with it.
                after = bare_loop(port)
                bare = (before + after) / 2
                sent = summary["total"]["sent"]
                rate = sent / usage.wall
                print(f"(a) {size:,} recipients, {said(used)}, {args.gateway} gateway, "
                      f"load {os.getloadavg()[0]:.1f}:")
                print(f"    bare http.client loop:  {bare:8.0f} requests/s  (before {before:.0f}, "
                      f"after {after:.0f})")
                print(f"    civisms jobs run:       {rate:8.0f} msg/s  ({sent} sent in "
                      f"{usage.wall:.1f} s, queue built and every row written)")
                print(f"    ratio to the bare loop: {rate / bare:8.2f}   (goal >= 0.7)")
                print(f"    CPU per message:        {usage.process / sent * 1000:8.3f} ms "
                      f"civisms ({usage.system / sent * 1000:.3f} of it in the kernel; "
                      "goal <= 0.15), "
                      f"{usage.mysqld_sessions / sent * 1000:.3f} ms "
                      f"mysqld for its connections (goal <= 0.06), "
                      f"{usage.mysqld_total / sent * 1000:.3f} ms whole mysqld "
                      f"(other clients included)")
                check_rows(site, size)
            finally:
                drop(site)
    finally:
        proc.kill()


def case_b(args: argparse.Namespace) -> None:
    proc, port = gateway(0.2)
    try:
        site = make_site(args.slow_recipients, port, mps=args.slow_mps)
        try:
            used = flags(args.workers, args.slow_concurrency)
            summary, usage = run_jobs(site, *used)
            seconds = usage.wall
            rate = summary["total"]["sent"] / seconds
            bound = args.slow_mps
            if args.slow_concurrency is not None:
                bound = min(bound, (args.workers or 1) * args.slow_concurrency / 0.2)
            print(f"(b) 200 ms gateway, {said(used)}: {rate:8.0f} msg/s  "
                  f"({summary['total']['sent']} sent in {seconds:.1f} s)")
            print(f"(b) bound {bound:g} msg/s (rate limit {args.slow_mps:g}"
                  f"{', and concurrency / latency' if args.slow_concurrency else ''}); "
                  f"reached {rate / bound:.0%} (goal >= 90 %, never above 100 %)")
        finally:
            drop(site)
    finally:
        proc.kill()


def case_c(args: argparse.Namespace) -> None:
    proc, port = gateway(0.0)
    try:
        for size in (int(s) for s in args.memory.split(",")):
            started = time.perf_counter()
            site = make_site(size, port, mps=1_000_000)
            made = time.perf_counter() - started
            try:
                _, usage = run_jobs(site, "--limit", str(args.memory_limit))
                seconds = usage.wall
                peak = max_rss_of_last_child()
                print(f"(c) {size:>9,} recipients: peak RSS {peak:6.1f} MB (queue of {size:,} "
                      f"built, {min(size, args.memory_limit):,} sent, {seconds:.1f} s; "
                      f"site made in {made:.0f} s)")
            finally:
                drop(site)
    finally:
        proc.kill()


def case_defaults(args: argparse.Namespace) -> None:
    """(d) ``jobs run --once`` with default flags against ``--workers 2 --concurrency 64``,
    alternating, each on a fresh site of ``--defaults-recipients``; the bare loop before and
    after says how noisy the machine was."""
    proc, port = instant_gateway(args.gateway)
    try:
        before = bare_loop(port)
        rates: dict[str, list[float]] = {"defaults": [], "--workers 2 --concurrency 64": []}
        for _ in range(args.defaults_repeat):
            for label in rates:
                used = label.split() if label.startswith("--") else []
                site = make_site(args.defaults_recipients, port, mps=1_000_000)
                try:
                    summary, usage = run_jobs(site, *used)
                    rates[label].append(summary["total"]["sent"] / usage.wall)
                    check_rows(site, args.defaults_recipients)
                finally:
                    drop(site)
        after = bare_loop(port)
        for label, found in rates.items():
            shown = ", ".join(f"{r:.0f}" for r in found)
            print(f"(d) {label:<28} {max(found):8.0f} msg/s best of {shown}")
        best_default, best_flags = (max(r) for r in rates.values())
        print(f"(d) defaults / explicit flags: {best_default / best_flags:8.2f}   (goal >= 0.90)")
        print(f"(d) bare loop before/after:    {before:8.0f} / {after:.0f} requests/s "
              f"(machine noise {abs(before - after) / max(before, after):.0%})")
    finally:
        proc.kill()


def max_rss_of_last_child() -> float:
    # RUSAGE_CHILDREN keeps the largest child so far; runs are made small to large.
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", default="20000,100000",
                        help="comma-separated mailing sizes for (a)")
    parser.add_argument("--workers", type=int, default=None, help="default: civisms' own")
    parser.add_argument("--concurrency", type=int, default=None, help="default: civisms' own")
    parser.add_argument("--slow-recipients", type=int, default=20_000)
    parser.add_argument("--slow-concurrency", type=int, default=None,
                        help="default: civisms' own")
    parser.add_argument("--slow-mps", type=float, default=1000.0)
    parser.add_argument("--memory", default="10000,1000000")
    parser.add_argument("--memory-limit", type=int, default=20_000)
    parser.add_argument("--defaults-recipients", type=int, default=20_000)
    parser.add_argument("--defaults-repeat", type=int, default=2)
    parser.add_argument("--skip", default="")
    parser.add_argument("--gateway", choices=("asyncio", "nginx"), default="asyncio",
                        help="what answers at once in (a) and (d): bench/fast_gateway.py, or "
                             "a local nginx (issue 17's set-up; (b) always uses the former, "
                             "which can wait 200 ms)")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    if "a" not in skip:
        case_a(args)
    if "b" not in skip:
        case_b(args)
    if "c" not in skip:
        case_c(args)
    if "d" not in skip:
        case_defaults(args)


if __name__ == "__main__":
    main()
