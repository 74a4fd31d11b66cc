"""A lean HTTP client for the mass-sending hot path: HTTP/1.1 keep-alive, one socket per thread.

``requests`` costs about 0.75 ms of CPU per call, urllib3 about 0.25 ms and
``http.client`` about 0.065 ms; this client, framing requests and reading answers itself
(``wire``), about 0.025 ms (PROVIDERS §5, docs/jobs.md "CPU per message"). ``LeanHttpClient``
has the interface of ``civisms.providers.pooled.HttpClient`` (``request`` → ``HttpResponse``,
errors as civisms ``ProviderError``s with the same codes); ``transport.http_client`` hands
it to an adapter whose row says ``civisms_http=lean`` (the default of ``civisms jobs run``;
``http.client``, its earlier name, still means it).
"""

from __future__ import annotations

import json as jsonlib
import select
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

from civisms.errors import FatalProviderError, ProviderError, TransientError
from civisms.providers import deadline
from civisms.providers.bounded import TooLarge, too_large_error
from civisms.providers.http import CONNECT_TIMEOUT, HttpResponse, basic_auth, scrub
from civisms.providers.wire import Reader, WireError, form_encode, request_head

_DEFAULT_PORTS = {"http": 80, "https": 443}
#: Seconds after its last answer during which a connection is reused without first looking
#: whether the gateway closed it: none closes an idle keep-alive connection that soon
#: (nginx waits 75 s, Apache 5 s), and the look costs a system call and a hand-over of
#: Python's lock for every message of a busy run.
FRESH = 0.1


def _dropped(sock: socket.socket) -> bool:
    """True when an idle keep-alive socket was closed by the other end (it reads as ready)."""
    try:
        ready, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(ready)


class _Connection:
    """One keep-alive connection to a gateway host (a thread's own)."""

    __slots__ = ("answered", "host", "port", "reader", "sock", "tls")

    def __init__(self, host: str, port: int, tls: ssl.SSLContext | None) -> None:
        self.host = host
        self.port = port
        self.tls = tls
        self.sock: socket.socket | None = None
        self.reader: Reader | None = None
        self.answered = 0.0  # time.monotonic() of the last complete answer

    def close(self, *, shut: bool = False) -> None:
        sock, self.sock, self.reader = self.sock, None, None
        if sock is None:
            return
        if shut:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        with suppress(OSError):
            sock.close()


class LeanHttpClient:
    """Keep-alive HTTP/1.1 connections, one per thread and host."""

    transport = "lean"

    def __init__(self, name: str, *, timeout: float, secrets: tuple[str, ...] = ()) -> None:
        self.name = name
        self.secrets = secrets
        self.timeout = timeout
        self._local = threading.local()
        self._all: list[_Connection] = []
        self._lock = threading.Lock()

    def _connection(self, scheme: str, netloc: str) -> _Connection:
        conns: dict[tuple[str, str], _Connection] = getattr(self._local, "conns", None) or {}
        self._local.conns = conns
        conn = conns.get((scheme, netloc))
        if conn is None:
            if scheme not in _DEFAULT_PORTS:
                raise FatalProviderError(self._say(f"invalid gateway URL scheme {scheme!r}: "
                                                   "check api_url"), code="bad_url")
            parts = urlsplit(f"//{netloc.rpartition('@')[2]}")
            try:
                port = parts.port or _DEFAULT_PORTS[scheme]
            except ValueError:
                raise FatalProviderError(self._say("invalid port in the gateway URL: check "
                                                   "api_url"), code="bad_url") from None
            conn = _Connection(parts.hostname or "", port,
                               ssl.create_default_context() if scheme == "https" else None)
            conns[(scheme, netloc)] = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> HttpResponse:
        """Make one request (no retries); network failures raise civisms errors."""
        parts = urlsplit(url)
        target = parts.path or "/"
        query = parts.query
        if params:
            query = (query + "&" if query else "") + form_encode(params)
        if query:
            target += "?" + query
        sent = dict(headers or {})
        body = b""
        if data is not None:
            body = form_encode(data).encode("ascii")
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif json is not None:
            body = jsonlib.dumps(json).encode()
            sent.setdefault("Content-Type", "application/json")
        if auth is not None:
            sent["Authorization"] = basic_auth(*auth)
        conn = self._connection(parts.scheme, parts.netloc)
        host = parts.netloc.rpartition("@")[2]
        try:
            head = request_head(method, target, host, sent,
                                len(body) if body or method in ("POST", "PUT") else None)
        except ValueError as exc:  # from the row's configuration: nothing was written
            raise FatalProviderError(self._say(f"{exc}: check api_url and api_params"),
                                     code="bad_request") from None
        reader = conn.reader
        if conn.sock is not None and (
                reader is None or reader.pending
                or (time.monotonic() - conn.answered >= FRESH and _dropped(conn.sock))):
            conn.close()  # the gateway closed the idle connection: writing to it would be lost
        # One deadline for the whole request: connecting, writing, every read.
        with deadline.watch(self.timeout) as ticket:
            if conn.sock is None:
                self._connect(conn, host, ticket)
            sock, reader = conn.sock, conn.reader
            assert sock is not None and reader is not None
            ticket.attach(sock)
            try:
                sock.sendall(head + body if len(body) < 65536 else head)
                if len(body) >= 65536:
                    sock.sendall(body)
                answer = reader.answer(method, deadline.MAX_BODY)
                if ticket.expired or ticket.aborted:
                    # Cut short by the deadline (a read to the end just sees the end).
                    raise WireError("cut at the deadline")
            except TooLarge as exc:
                conn.close(shut=True)
                raise self._too_large(host, getattr(exc, "status", 200)) from None
            except (OSError, WireError, ValueError, AttributeError) as exc:
                # ValueError / AttributeError: close() from another thread (a stopping run)
                # took the socket from under this reader.
                conn.close(shut=True)
                raise self._lost(host, exc, ticket) from exc
        if answer.close:
            conn.close()
        else:
            conn.answered = time.monotonic()
        return HttpResponse(answer.status, answer.headers, answer.body)

    def _lost(self, host: str, exc: Exception, ticket: deadline.Ticket) -> TransientError:
        # Every failure after connecting is ambiguous: the request may have been written
        # and the message taken before the gateway went silent or the run was stopped.
        if ticket.aborted:
            return TransientError(self._say(f"request to {host} cut: the run is stopping"),
                                  code="interrupted", maybe_sent=True)
        if ticket.expired or isinstance(exc, TimeoutError):
            return TransientError(self._say(f"no complete answer from {host} within "
                                            f"{self.timeout:g} s"),
                                  code="read_timeout", maybe_sent=True)
        return TransientError(self._say(f"connection to {host} lost ({type(exc).__name__})"),
                              code="connection_lost", maybe_sent=True)

    def _too_large(self, host: str, status: int) -> ProviderError:
        return too_large_error(self._say(f"answer from {host} over "
                                         f"{deadline.MAX_BODY:,} bytes"), status)

    def _connect(self, conn: _Connection, host: str, ticket: deadline.Ticket) -> None:
        try:
            sock = socket.create_connection((conn.host, conn.port),
                                            timeout=min(CONNECT_TIMEOUT, ticket.remaining()))
        except TimeoutError as exc:
            raise TransientError(self._say(f"timed out connecting to {host}"),
                                 code="connect_timeout") from exc
        except OSError as exc:  # refused, DNS: nothing was written
            raise TransientError(self._say(f"cannot reach {host} ({type(exc).__name__})"),
                                 code="connect_error") from exc
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if conn.tls is not None:
                sock = conn.tls.wrap_socket(sock, server_hostname=conn.host)
        except ssl.SSLError as exc:
            sock.close()
            raise FatalProviderError(self._say(f"TLS error talking to {host}: check api_url"),
                                     code="tls_error") from exc
        except OSError as exc:  # the handshake timed out or was reset: nothing was written
            sock.close()
            raise TransientError(self._say(f"cannot reach {host} ({type(exc).__name__})"),
                                 code="connect_error") from exc
        # Blocking from now on: the ticket's watchdog bounds the whole request (a socket
        # timeout would only bound each read, and costs a poll() and a GIL hand-off more
        # per read and per write).
        sock.settimeout(None)
        conn.sock, conn.reader = sock, Reader(sock)

    def _say(self, text: str) -> str:
        return scrub(f"{self.name}: {text}", self.secrets)

    def close(self) -> None:
        """Close every connection of every thread; shut down first, so a thread blocked
        reading one returns at once instead of holding its buffer (and us) forever."""
        with self._lock:
            for conn in self._all:
                conn.close(shut=True)
            self._all.clear()

