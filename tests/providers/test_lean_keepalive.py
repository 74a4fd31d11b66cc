"""The lean client's keep-alive connections: reused while fresh, replaced once the
gateway has closed them, so a message is never written into a connection already gone
(it would end ``unknown``)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from civisms.providers import lean_http
from civisms.providers.lean_http import LeanHttpClient

ANSWER = (b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
          b"Content-Length: 2\r\n\r\n{}")


@contextmanager
def closing_gateway(idle: float) -> Iterator[tuple[str, list[int]]]:
    """A gateway that answers every request on a connection and closes the connection
    once it has been idle ``idle`` seconds; yields its URL and the requests per connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    served: list[int] = []

    def serve(conn: socket.socket) -> None:
        count = len(served)
        served.append(0)
        conn.settimeout(idle)
        with conn:
            buffer = b""
            while True:
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    return  # idle too long: close, as servers do
                if not chunk:
                    return
                buffer += chunk
                while b"\r\n\r\n" in buffer:
                    head, _, buffer = buffer.partition(b"\r\n\r\n")
                    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                                   if line.lower().startswith(b"content-length:")), 0)
                    while len(buffer) < length:
                        buffer += conn.recv(65536)
                    buffer = buffer[length:]
                    served[count] += 1
                    conn.sendall(ANSWER)

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", served
    finally:
        listener.close()


def test_a_busy_connection_is_reused() -> None:
    with closing_gateway(idle=5) as (url, served):
        http = LeanHttpClient("gw", timeout=5)
        for _ in range(20):
            assert http.request("POST", url + "/x", data={"To": "+14155550199"}).status == 201
        http.close()
    assert served == [20]


def test_a_connection_the_gateway_closed_while_idle_is_replaced_not_written_to() -> None:
    idle = 0.2
    assert idle > lean_http.FRESH  # a gateway closing sooner than FRESH is not supported
    with closing_gateway(idle=idle) as (url, served):
        http = LeanHttpClient("gw", timeout=5)
        for _ in range(3):
            assert http.request("POST", url + "/x", data={"To": "+14155550199"}).status == 201
            time.sleep(idle + 0.2)  # the gateway has closed the connection meanwhile
        http.close()
    assert served == [1, 1, 1]  # each request on a new connection, none lost
