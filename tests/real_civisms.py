"""A running ``civisms serve`` on the real CiviCRM site of ``CIVISMS_REAL_SITE`` (db backend
on the site's own database), with the bridge installed from the zip and a bridge row made
by ``civisms sync providers``: what an administrator sets up, for the end-to-end tests and
bench/bench_bridge.py. The gateway is civisms' local outbox (a file of JSON lines)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from real_civicrm import RealSite

from civisms.bridge.build import build

CIVISMS = str(Path(sys.executable).with_name("civisms"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Running:
    """civisms serve on a loopback port, and the rows it uses."""

    site: RealSite
    folder: Path
    env: dict[str, str]
    process: subprocess.Popen | None
    gateway_row: int
    bridge_row: int

    @property
    def outbox(self) -> Path:
        return self.folder / "outbox.jsonl"

    def sent(self) -> list[dict[str, Any]]:
        if not self.outbox.exists():
            return []
        return [json.loads(line) for line in self.outbox.read_text().splitlines() if line]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)
        self.process = None

    def start(self) -> None:
        port = int(self.env["CIVISMS_PUBLIC_URL"].rsplit(":", 1)[1])
        log = (self.folder / "serve.log").open("a")
        self.process = subprocess.Popen([CIVISMS, "serve", "--port", str(port), "--log-level",
                                         "warning"], env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("civisms serve did not start: "
                             + (self.folder / "serve.log").read_text()[-2000:])


@contextmanager
def civisms_on(site: RealSite, folder: Path) -> Iterator[Running]:
    """Bridge installed, gateway and bridge rows made, civisms serve running; all undone
    afterwards (rows deleted, bridge uninstalled, core's job as it was)."""
    zip_path, _ = build(folder)
    core_was = site.api4("Job", "get", {"where": [["api_action", "=", "process_sms"]]})
    site.install_bridge(zip_path)
    gateway = site.api4("SmsProvider", "create", {"values": {
        "name": "org.civisms.local", "title": f"civisms test outbox {folder.name}",
        "username": "outbox", "password": "-", "api_type": 1, "api_url": "",
        "api_params": "", "is_active": False}})[0]["id"]
    env = {**os.environ, "CIVISMS_BACKEND": "db", "CIVISMS_DB_URL": site.db_url,
           "CIVISMS_OUTBOX": str(folder / "outbox.jsonl"),
           "CIVISMS_PUBLIC_URL": f"http://127.0.0.1:{free_port()}"}
    for name in ("CIVISMS_CONFIG", "CIVISMS_API_URL", "CIVISMS_API_KEY"):
        env.pop(name, None)
    synced = subprocess.run([CIVISMS, "sync", "providers", "--via", str(gateway), "--json"],
                            env=env, capture_output=True, text=True, check=True)
    running = Running(site, folder, env, None, gateway, json.loads(synced.stdout)["row_id"])
    try:
        running.start()
        yield running
    finally:
        running.stop()
        site.api4("SmsProvider", "delete", {"where": [["id", "IN", [gateway,
                                                                      running.bridge_row]]]})
        site.extension("disable")
        site.extension("uninstall")
        site.api4("Job", "update", {"where": [["api_action", "=", "process_sms"]],
                                    "values": {"is_active": core_was[0]["is_active"]}})
