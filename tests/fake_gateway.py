"""A Twilio-compatible HTTP gateway on 127.0.0.1 for end-to-end send tests.

It speaks Twilio's Messages resource on the wire (form POST to
``/2010-04-01/Accounts/{sid}/Messages.json``), records every request, and answers each
``To`` number from a script: a list of replies used in order, the last one repeating.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ACCEPTED = (201, {"status": "queued"})


def refuse(code: int, message: str, status: int = 400) -> tuple[int, dict]:
    return (status, {"code": code, "message": message, "status": status})


RATE_LIMITED = (429, {"code": 20429, "message": "Too Many Requests", "status": 429})
#: Takes the message, then answers only after ``FakeTwilio.hang`` seconds (past a timeout).
HANG = (-1, {"status": "queued"})
#: Reads the request, then resets the connection without answering.
RESET = (-2, {})
#: Reads the request, then answers 500 (no gateway documentation says it was not taken).
SERVER_ERROR = (500, {"code": 20500, "message": "Internal Server Error", "status": 500})


@dataclass
class FakeTwilio:
    """The gateway's script and what it received."""

    script: dict[str, list[tuple[int, dict]]] = field(default_factory=dict)
    latency: float = 0.0
    hang: float = 2.0
    default: tuple[int, dict] = ACCEPTED  # the reply to numbers the script does not name
    requests: list[dict[str, str]] = field(default_factory=list)
    accepted: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def reply_for(self, form: dict[str, str]) -> tuple[int, dict]:
        with self.lock:
            self.requests.append(form)
            replies = self.script.get(form.get("To", ""), [self.default])
            status, body = replies.pop(0) if len(replies) > 1 else replies[0]
            if status == HANG[0] or 0 < status < 300:
                sid = f"SM{len(self.requests):032d}"
                body = {**body, "sid": sid, "to": form.get("To"), "num_segments": "1"}
                self.accepted.append({**form, "sid": sid})
            return status, body

    def accepted_to(self) -> list[str]:
        return [m["To"] for m in self.accepted]

    def requests_to(self) -> list[str]:
        return [m.get("To", "") for m in self.requests]


@contextmanager
def fake_twilio(**kwargs: object) -> Iterator[FakeTwilio]:
    """Run a fake Twilio on a free port; ``.url`` is the base URL for ``api_url``."""
    gateway = FakeTwilio(**kwargs)  # type: ignore[arg-type]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real gateways
        disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms stalls

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if gateway.latency:
                time.sleep(gateway.latency)
            status, body = gateway.reply_for(form)
            if status == RESET[0]:
                # SO_LINGER 0: close with a TCP reset, as a crashing gateway would.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            if status == HANG[0]:
                time.sleep(gateway.hang)
                status = 201
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if status == 429:
                self.send_header("Retry-After", "0")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 256  # the default 5 drops concurrent connects into SYN retries

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
