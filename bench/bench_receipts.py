"""Benchmark: delivery receipts through ``civisms serve`` on loopback, every row written.

A fresh sample site gets ``--messages`` SMS delivery activities (what sends write), then
``civisms serve`` (a real uvicorn process, ``--workers``) takes signed Twilio status
callbacks from an asyncio client over keep-alive connections:

(a) sustained: ``--sustained`` receipts (``sent`` then ``delivered`` for half as many
    messages) at ``--concurrency`` requests in flight; prints receipts/s and the latency
    percentiles as the gateway sees them;
(b) burst: ``--burst`` ``delivered`` receipts as fast as the service takes them (256 in
    flight), then counts the rows: every activity Completed, one ``civisms_receipt`` row
    each, no answer other than 200.

Run: ``.venv/bin/python bench/bench_receipts.py`` (defaults: 20,000 sustained, 100,000
burst, 2 workers). Goal: at least 1,000 receipts/s with p99 under 50 ms; the burst loses
nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest import SiteDb, _server_params

from civisms.civicrm import install
from civisms.civicrm.db import DbCiviCRM
from civisms.model import Activity

SID = "AC" + "b" * 32
TOKEN = "bench-auth-token-0123456789"


def make_site(messages: int) -> tuple[SiteDb, int]:
    """A fresh sample site with a Twilio row and ``messages`` SMS delivery activities."""
    params = _server_params()
    name = f"civisms_bench_receipts_{os.getpid()}"
    install.install_site(params, name, schema="subset", sample=True)
    site = SiteDb(name, replace(params, database=name), "subset", True)
    site.execute("INSERT INTO civicrm_sms_provider (name, title, username, password, api_type,"
                 " api_params, is_default, is_active, domain_id) VALUES ('org.civicrm.sms."
                 "twilio', 'Bench Twilio', %s, %s, 1, 'From=+15550009000', 0, 1, 1)",
                 [SID, TOKEN])
    provider_id = int(site.scalar("SELECT MAX(id) FROM civicrm_sms_provider"))
    civicrm = DbCiviCRM(site.params)
    try:
        for start in range(0, messages, 5000):
            civicrm.create_activities([
                Activity(activity_type="SMS delivery", source_contact_id=2, status="Completed",
                         details="Hi", targets=(3,), result=f"SM{n:032d}")
                for n in range(start, min(start + 5000, messages))])
    finally:
        civicrm.close()
    return site, provider_id


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_service(site: SiteDb, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CIVISMS_BACKEND": "db", "CIVISMS_DB_URL": site.url}
    env.pop("CIVISMS_CONFIG", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "civisms", "serve", "--port", str(port), "--workers",
         str(workers), "--log-level", "warning"], env=env)
    for _ in range(600):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit("civisms serve did not start")


def signed_request(port: int, provider_id: int, sid: str, status: str) -> bytes:
    """The raw HTTP/1.1 request Twilio would send, with its signature."""
    path = f"/webhooks/{provider_id}/status"
    fields = {"MessageSid": sid, "MessageStatus": status, "AccountSid": SID,
              "From": "+15550009000", "To": "+14155550101"}
    payload = f"http://127.0.0.1:{port}{path}" + "".join(k + fields[k] for k in sorted(fields))
    signature = base64.b64encode(
        hmac.new(TOKEN.encode(), payload.encode(), hashlib.sha1).digest()).decode()
    body = urlencode(fields).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {signature}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> int:
    """The status of one HTTP/1.1 response, its body read and dropped."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


async def fire(port: int, requests_: list[bytes], concurrency: int
               ) -> tuple[float, list[float], dict[int, int]]:
    """Send every request over ``concurrency`` keep-alive connections; elapsed seconds,
    each request's latency, and how many answers of each status."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for item in requests_:
        queue.put_nowait(item)
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while True:
                try:
                    item = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = time.perf_counter()
                writer.write(item)
                status = await read_response(reader)
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, statuses


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def service_pids(process: subprocess.Popen[bytes]) -> list[int]:
    """The serve process and its worker processes."""
    pids = [process.pid]
    for task in Path(f"/proc/{process.pid}/task").iterdir():
        children = (task / "children").read_text().split()
        pids += [int(c) for c in children]
    return pids


def database_pids() -> list[int]:
    """MariaDB's server process(es) on this machine."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("mariadbd", "mysqld"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sustained", type=int, default=20000)
    parser.add_argument("--burst", type=int, default=100000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    messages = args.sustained // 2 + args.burst
    print(f"setting up a site with {messages:,} SMS delivery activities ...", flush=True)
    site, provider_id = make_site(messages)
    port = free_port()
    process = start_service(site, port, args.workers)
    try:
        # Warm-up: every worker's connections, provider rows and prepared tables.
        warm = [signed_request(port, provider_id, f"warm-{n}", "sent") for n in range(200)]
        asyncio.run(fire(port, warm, args.concurrency))

        half = args.sustained // 2
        sustained = [signed_request(port, provider_id, f"SM{n:032d}", status)
                     for status in ("sent", "delivered") for n in range(half)]
        pids, db_pids = service_pids(process), database_pids()
        cpu_before = cpu_seconds(pids), cpu_seconds(db_pids)
        elapsed, latencies, statuses = asyncio.run(fire(port, sustained, args.concurrency))
        service_cpu = cpu_seconds(pids) - cpu_before[0]
        db_cpu = cpu_seconds(db_pids) - cpu_before[1]
        rate = len(sustained) / elapsed
        print(f"(a) sustained: {len(sustained):,} receipts in {elapsed:.2f} s = "
              f"{rate:,.0f} receipts/s, {args.concurrency} in flight, {args.workers} workers")
        print(f"    latency p50 {statistics.median(latencies) * 1000:.1f} ms, "
              f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms, "
              f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms; answers {statuses}")
        per = (service_cpu + db_cpu) / len(sustained)
        # MariaDB's figure counts every client of the server: on a shared machine it is an
        # upper bound, so the projection is a lower bound.
        print(f"    CPU per receipt: service {service_cpu / len(sustained) * 1000:.2f} ms, "
              f"MariaDB server (all its clients) {db_cpu / len(sustained) * 1000:.2f} ms: "
              f"two idle cores would take at least {2 / per:,.0f} receipts/s; machine load "
              f"average now {os.getloadavg()[0]:.1f}")
        print(f"    goal >= 1,000 receipts/s and p99 < 50 ms: "
              f"{'met' if rate >= 1000 and percentile(latencies, 0.99) < 0.05 else 'NOT met'}")

        burst = [signed_request(port, provider_id, f"SM{n:032d}", "delivered")
                 for n in range(half, half + args.burst)]
        elapsed, latencies, statuses = asyncio.run(fire(port, burst, 256))
        print(f"(b) burst: {len(burst):,} receipts in {elapsed:.2f} s = "
              f"{len(burst) / elapsed:,.0f} receipts/s (256 in flight); answers {statuses}; "
              f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    completed = site.scalar(
        "SELECT COUNT(*) FROM civicrm_activity a JOIN civicrm_option_value v ON v.value = "
        "a.status_id JOIN civicrm_option_group g ON g.id = v.option_group_id AND g.name = "
        "'activity_status' WHERE v.name = 'Completed' AND a.location = "
        "'delivered (delivered)'")
    receipts = site.scalar("SELECT COUNT(*) FROM civisms_receipt WHERE status = 'delivered'")
    print(f"    rows: {completed:,} activities Completed by a receipt, {receipts:,} "
          f"civisms_receipt rows delivered (expected {messages:,} each): "
          f"{'nothing lost' if completed == receipts == messages else 'MISMATCH'}")
    install.drop_database(site.params, site.name)


if __name__ == "__main__":
    main()
