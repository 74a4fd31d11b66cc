"""A fast Twilio-compatible HTTP gateway for benchmarks: asyncio, keep-alive, no framework.

    .venv/bin/python bench/fast_gateway.py [--port 0] [--latency 0.2] [--log FILE]

Prints ``READY <port>`` once listening. Every POST is answered ``201`` with a Twilio-like
JSON body (``sid``, ``status: queued``, ``num_segments``) after ``--latency`` seconds,
without blocking other connections. ``--log`` appends each accepted ``To`` to a file
(one per line), so a test can check what a killed sender really handed over.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import sys
from urllib.parse import unquote_plus

_counter = itertools.count(1)


def _field(body: bytes, name: bytes) -> str:
    # Only the one form field we need; parse_qs would cost more than the whole reply.
    for pair in body.split(b"&"):
        key, _, value = pair.partition(b"=")
        if key == name:
            return unquote_plus(value.decode())
    return ""


class Gateway(asyncio.Protocol):
    """One keep-alive connection: requests parsed from the buffer, answered in order."""

    latency = 0.0
    log: object = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""
        transport.get_extra_info("socket").setsockopt(6, 1, 1)  # TCP_NODELAY

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].lower()
            length = 0
            at = head.find(b"content-length:")
            if at >= 0:
                length = int(head[at + 15 : head.find(b"\r\n", at) if head.find(b"\r\n", at) > 0
                                  else None].strip() or 0)
            end = head_end + 4 + length
            if len(self.buffer) < end:
                return
            body = self.buffer[head_end + 4 : end]
            self.buffer = self.buffer[end:]
            reply = self._reply(body)
            if self.latency:
                asyncio.get_running_loop().call_later(self.latency, self._write, reply)
            else:
                self._write(reply)

    def _write(self, reply: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(reply)

    def _reply(self, body: bytes) -> bytes:
        to = _field(body, b"To")
        n = next(_counter)
        if self.log is not None:
            self.log.write(to + "\n")  # type: ignore[attr-defined]
        data = json.dumps({"sid": f"SM{n:032d}", "status": "queued", "to": to,
                           "num_segments": "1"}).encode()
        return (b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                b"Content-Length: " + str(len(data)).encode() + b"\r\n\r\n" + data)


async def serve(port: int, latency: float, log_path: str | None) -> None:
    Gateway.latency = latency
    if log_path:
        Gateway.log = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115
    server = await asyncio.get_running_loop().create_server(
        Gateway, "127.0.0.1", port, backlog=1024, reuse_address=True
    )
    print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--log")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.latency, args.log))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
