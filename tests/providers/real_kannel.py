"""A real Kannel for the tests: bearerbox + smsbox (Debian's ``kannel`` package) on free
loopback ports, a fake SMSC whose other end this module plays (the ``smsc = fake`` line
protocol: one message a line), and a capture server for the DLR and get-url calls.

Started only where ``bearerbox`` is installed (setup.sh installs it); every process started
here is stopped by ``KannelRig.stop``.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote_to_bytes

BEARERBOX = shutil.which("bearerbox") or ("/usr/sbin/bearerbox"
                                          if os.path.exists("/usr/sbin/bearerbox") else None)
SMSBOX = shutil.which("smsbox") or "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"

USER, PASSWORD = "civisms", "k4nnel-pw"
TOKEN = "Zm9vYmFyLWtubmVs_x-9"  # URL-safe base64, as `civisms` advises for Kannel rows
ROUTED_PREFIX = "+1555;+1415"  # the SMSC's allowed-prefix: anything else is "Not routable"
DENIED = "+14155550101"  # the SMSC's denied-prefix-regex: Alice on the sample site
BLACK_LISTED = "+15550009"  # the sendsms-user's black-list-regex


#: The get-url escapes docs/providers.md gives for inbound messages.
INBOUND_ESCAPES = "from=%p&to=%P&text=%b&charset=%C&id=%I&ts=%t"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Capture:
    """Every request Kannel makes to us: (path, raw query), answered 200."""

    calls: queue.Queue[tuple[str, str]] = field(default_factory=queue.Queue)
    server: ThreadingHTTPServer | None = None

    def start(self) -> int:
        calls = self.calls

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                calls.put((path, query))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return int(self.server.server_address[1])

    def next(self, path: str, match: str = "", timeout: float = 10.0) -> str:
        """The raw query of the next call to ``path`` containing ``match`` (others kept)."""
        deadline = time.monotonic() + timeout
        skipped: list[tuple[str, str]] = []
        try:
            while True:
                got = self.calls.get(timeout=max(0.01, deadline - time.monotonic()))
                if got[0] == path and match in got[1]:
                    return got[1]
                skipped.append(got)
        finally:
            for item in skipped:
                self.calls.put(item)

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class FakeSmscClient:
    """Our end of bearerbox's fake SMSC: MT lines come in, MO lines go out."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.lines: queue.Queue[str] = queue.Queue()
        self.sock: socket.socket | None = None

    def connect(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.sock.settimeout(None)
        threading.Thread(target=self._read, args=(self.sock,), daemon=True).start()

    def _read(self, sock: socket.socket) -> None:
        buffer = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    self.lines.put(line.decode("latin-1"))

    def send_mo(self, sender: str, receiver: str, kind: str, data: str) -> None:
        assert self.sock is not None
        self.sock.sendall(f"{sender} {receiver} {kind} {data}\n".encode("latin-1"))

    def messages(self, count: int, timeout: float = 10.0) -> list[str]:
        return [self.lines.get(timeout=timeout) for _ in range(count)]

    def disconnect(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)
            self.sock.close()
            self.sock = None


def _unquote(value: str) -> bytes:
    return unquote_to_bytes(value.replace("+", " "))  # Kannel's url-encoding: space is +


def decode_mt(line: str) -> tuple[str, str, bytes, bytes]:
    """``sender receiver text|data|ucs-2|udh U data D`` → (receiver, kind, udh, payload)."""
    words = line.split(" ")
    receiver, kind = words[1], words[2]
    if kind == "udh":  # ... udh <udh> data <payload>
        return receiver, words[4], _unquote(words[3]), _unquote(words[5])
    payload = " ".join(words[3:])
    if kind == "text":
        return receiver, kind, b"", payload.encode("latin-1")
    return receiver, kind, b"", _unquote(payload)


@dataclass
class KannelRig:
    """bearerbox + smsbox + our fake SMSC end + the capture server, in ``workdir``."""

    workdir: Path
    capture: Capture = field(default_factory=Capture)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    ports: dict[str, int] = field(default_factory=dict)
    smsc: FakeSmscClient | None = None

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['sendsms']}/cgi-bin/sendsms"

    @property
    def callback_base(self) -> str:
        return f"http://127.0.0.1:{self.ports['capture']}"

    def config(self) -> str:
        p, log = self.ports, self.workdir
        return f"""group = core
admin-port = {p['admin']}
admin-password = adm1n
admin-interface = 127.0.0.1
admin-allow-ip = 127.0.0.1
smsbox-port = {p['smsbox']}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "{log}/bearerbox.log"
log-level = 1
dlr-storage = internal
sms-outgoing-queue-limit = 3

group = smsc
smsc = fake
smsc-id = fake1
port = {p['smsc']}
connect-allow-ip = 127.0.0.1
allowed-prefix = "{ROUTED_PREFIX}"
denied-prefix-regex = "^\\{DENIED}$"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {p['smsbox']}
sendsms-port = {p['sendsms']}
sendsms-interface = 127.0.0.1
log-file = "{log}/smsbox.log"
log-level = 1

group = sendsms-user
username = {USER}
password = {PASSWORD}
max-messages = 10
concatenation = true
black-list-regex = "^\\{BLACK_LISTED}"

group = sms-service
keyword = default
catch-all = true
max-messages = 0
omit-empty = true
get-url = "{self.callback_base}/inbound?civisms_token={TOKEN}&{INBOUND_ESCAPES}"
"""

    def start(self) -> None:
        assert BEARERBOX is not None
        self.ports = {name: free_port() for name in ("admin", "smsbox", "smsc", "sendsms")}
        self.ports["capture"] = self.capture.start()
        conf = self.workdir / "kannel.conf"
        conf.write_text(self.config())
        self._spawn([BEARERBOX, str(conf)], self.ports["smsbox"])
        self.smsc = FakeSmscClient(self.ports["smsc"])
        self.smsc.connect()
        self._spawn([SMSBOX, str(conf)], self.ports["sendsms"])
        self.wait_smsc_online()

    def _spawn(self, argv: list[str], port: int) -> None:
        out = open(self.workdir / (Path(argv[0]).name + ".out"), "wb")  # noqa: SIM115
        self.processes.append(subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                               start_new_session=True))
        deadline = time.monotonic() + 15
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                return
            if self.processes[-1].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{argv[0]} did not start: see {self.workdir}")
            time.sleep(0.05)

    def status(self) -> str:
        url = f"http://127.0.0.1:{self.ports['admin']}/status.txt?password=adm1n"
        with urllib.request.urlopen(url, timeout=5) as resp:
            return str(resp.read().decode())

    def wait_smsc_online(self, online: bool = True, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while ("fake1" in self.status() and "(online" in self.status()) is not online:
            if time.monotonic() > deadline:
                raise RuntimeError(f"fake SMSC never {'online' if online else 'offline'}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.smsc is not None:
            self.smsc.disconnect()
        for proc in reversed(self.processes):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self.processes):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.capture.stop()
