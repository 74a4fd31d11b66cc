"""A hostile gateway on 127.0.0.1: answers that would take a careless client down.

It answers any POST (Twilio's Messages resource, Kannel's sendsms, API v4...) by its
``mode``, which a test sets and may change between requests:

* ``huge``: ``Content-Length`` of ``size`` bytes (2 GiB by default), streamed as fast as read.
* ``bomb``: a gzip body of ``size`` bytes once inflated (a few MB on the wire).
* ``trickle``: ``Content-Length: 1000000``, then one byte every ``interval`` seconds.
* ``echo_auth``: HTTP 401 whose body repeats the ``Authorization`` header and the query.
* ``odd_id``: HTTP 201, Twilio's answer with ``sid`` set to ``odd_id`` (any JSON value).
* ``malformed``: HTTP 200 with ``Content-Type: application/json`` and broken JSON.

``accepted`` counts the requests answered with an acceptance (``odd_id``), ``requests``
every request seen. Run as a script it prints ``port N`` and serves until killed
(``--mode``, ``--size``), for measuring a separate civisms process.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GiB = 1 << 30
CHUNK = 1 << 20


@dataclass
class HostileGateway:
    """What the gateway does next, and what it saw."""

    mode: str = "odd_id"
    size: int = 2 * GiB
    interval: float = 1.0
    odd_id: Any = "SM" + "x" * 5000
    requests: list[dict[str, str]] = field(default_factory=list)
    accepted: int = 0
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


def gzip_bomb(size: int) -> bytes:
    """A gzip stream inflating to ``size`` zero bytes: one 64 MB member repeated (a decoder
    must read every member), so making it costs one compression, not ``size`` bytes of it."""
    member_size = min(size, 64 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    member = compressor.compress(bytes(member_size)) + compressor.flush()
    return member * max(1, size // member_size)


_BOMBS: dict[int, bytes] = {}


class _Handler(BaseHTTPRequestHandler):
    gateway: HostileGateway
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        return

    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        gw = self.gateway
        with gw.lock:
            gw.requests.append({"path": self.path, "body": body,
                                "authorization": self.headers.get("Authorization", "")})
        try:
            getattr(self, f"_{gw.mode}")(gw)
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            return

    def _head(self, status: int, length: int, kind: str = "application/json",
              **extra: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        for name, value in extra.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()

    def _huge(self, gw: HostileGateway) -> None:
        self._head(200, gw.size)
        chunk, left = b" " * CHUNK, gw.size
        while left > 0:
            self.wfile.write(chunk[:min(CHUNK, left)])
            left -= CHUNK

    def _bomb(self, gw: HostileGateway) -> None:
        if gw.size not in _BOMBS:
            _BOMBS[gw.size] = gzip_bomb(gw.size)
        payload = _BOMBS[gw.size]
        self._head(200, len(payload), Content_Encoding="gzip")
        self.wfile.write(payload)

    def _trickle(self, gw: HostileGateway) -> None:
        self._head(201, 1_000_000)
        for _ in range(1_000_000):
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(gw.interval)

    def _echo_auth(self, gw: HostileGateway) -> None:
        text = (f"bad credentials: Authorization: {self.headers.get('Authorization')} "
                f"for {self.path}").encode()
        self._head(401, len(text), "text/plain")
        self.wfile.write(text)

    def _odd_id(self, gw: HostileGateway) -> None:
        with gw.lock:
            gw.accepted += 1
        payload = json.dumps({"sid": gw.odd_id, "status": "queued", "num_segments": "1",
                              "to": "+15550000000", "code": None}).encode()
        self._head(201, len(payload))
        self.wfile.write(payload)

    def _malformed(self, gw: HostileGateway) -> None:
        payload = b'{"sid": "SM1", "status": '
        self._head(200, len(payload))
        self.wfile.write(payload)


@contextmanager
def hostile_gateway(**kwargs: Any) -> Iterator[HostileGateway]:
    """Serve a hostile gateway on a free loopback port; ``.url`` is its base URL."""
    gateway = HostileGateway(**kwargs)
    handler = type("Handler", (_Handler,), {"gateway": gateway})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", default="huge")
    parser.add_argument("--size", type=int, default=2 * GiB)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    with hostile_gateway(mode=args.mode, size=args.size, interval=args.interval) as gw:
        print(f"port {gw.url.rsplit(':', 1)[1]}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
