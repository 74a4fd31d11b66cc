"""A lean HTTP client for the mass-sending hot path: ``http.client``, one connection per thread.

``requests`` costs about 0.75 ms of CPU per call and urllib3 about 0.25 ms; a plain
``http.client`` keep-alive connection per sender thread costs about a third of urllib3
(PROVIDERS §5, bench/bench_jobs.py). ``LeanHttpClient`` has the interface of
``civisms.providers.http.HttpClient`` (``request`` → ``HttpResponse``, errors as civisms
``ProviderError``s with the same codes); ``transport.http_client`` hands it to an adapter
whose row says ``civisms_http=http.client`` (the default of ``civisms jobs run``).
"""

from __future__ import annotations

import http.client
import json as jsonlib
import select
import socket
import ssl
import threading
from collections.abc import Mapping
from contextlib import suppress
from typing import Any
from urllib.parse import urlencode, urlsplit

from civisms.errors import FatalProviderError, ProviderError, TransientError
from civisms.providers import deadline
from civisms.providers.bounded import TooLarge, read_capped, too_large_error
from civisms.providers.http import CONNECT_TIMEOUT, HttpResponse, basic_auth, scrub


def _dropped(sock: socket.socket) -> bool:
    """True when an idle keep-alive socket was closed by the other end (it reads as ready)."""
    try:
        ready, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(ready)


class LeanHttpClient:
    """Keep-alive ``http.client`` connections, one per thread and host."""

    transport = "http.client"

    def __init__(self, name: str, *, timeout: float, secrets: tuple[str, ...] = ()) -> None:
        self.name = name
        self.secrets = secrets
        self.timeout = timeout
        self._local = threading.local()
        self._all: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _connection(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        conns: dict[tuple[str, str], http.client.HTTPConnection] = getattr(
            self._local, "conns", None) or {}
        self._local.conns = conns
        conn = conns.get((scheme, netloc))
        if conn is None:
            host = netloc.rpartition("@")[2]
            if scheme == "https":
                conn = http.client.HTTPSConnection(host, timeout=self.timeout,
                                                   context=ssl.create_default_context())
            elif scheme == "http":
                conn = http.client.HTTPConnection(host, timeout=self.timeout)
            else:
                raise FatalProviderError(self._say(f"invalid gateway URL scheme {scheme!r}: "
                                                   "check api_url"), code="bad_url")
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
        path = parts.path or "/"
        query = parts.query
        if params:
            query = (query + "&" if query else "") + urlencode(params)
        if query:
            path += "?" + query
        sent = dict(headers or {})
        body: bytes | None = None
        if data is not None:
            body = urlencode(data).encode()
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif json is not None:
            body = jsonlib.dumps(json).encode()
            sent.setdefault("Content-Type", "application/json")
        if auth is not None:
            sent["Authorization"] = basic_auth(*auth)
        conn = self._connection(parts.scheme, parts.netloc)
        host = parts.netloc.rpartition("@")[2]
        if conn.sock is not None and _dropped(conn.sock):
            conn.close()  # the gateway closed the idle connection: writing to it would be lost
        # One deadline for the whole request: connecting, writing, every read.
        with deadline.watch(self.timeout) as ticket:
            if conn.sock is None:
                self._connect(conn, host, ticket)
            assert conn.sock is not None
            ticket.attach(conn.sock)
            try:
                conn.sock.settimeout(ticket.remaining())
                conn.request(method, path, body=body, headers=sent)
                resp = conn.getresponse()
                if resp.length is None:  # chunked, or until the gateway closes
                    payload = read_capped(resp.read1, deadline.MAX_BODY)
                elif resp.length > deadline.MAX_BODY:
                    raise TooLarge(f"announced as {resp.length:,} bytes")
                else:  # one call: the watchdog still cuts a trickle at the deadline
                    payload = resp.read()
                if ticket.expired or ticket.aborted or resp.length:
                    # Cut short by the deadline (read1 just sees the end of the stream).
                    raise http.client.IncompleteRead(payload, resp.length)
                resp.close()  # read whole: the connection may serve the next request
            except TooLarge:
                self._shut(conn)
                raise self._too_large(host, resp.status) from None
            except (OSError, http.client.HTTPException, ValueError, AttributeError) as exc:
                # ValueError / AttributeError: close() from another thread (a stopping run)
                # emptied the response under this reader, which http.client does not expect.
                self._shut(conn)
                raise self._lost(host, exc, ticket) from exc
        if resp.will_close:
            conn.close()
        return HttpResponse(resp.status, resp.headers, payload)

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

    @staticmethod
    def _shut(conn: http.client.HTTPConnection) -> None:
        if conn.sock is not None:
            with suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RDWR)
        conn.close()

    def _connect(self, conn: http.client.HTTPConnection, host: str,
                 ticket: deadline.Ticket) -> None:
        conn.timeout = min(CONNECT_TIMEOUT, ticket.remaining())
        try:
            conn.connect()
        except ssl.SSLError as exc:
            conn.close()
            raise FatalProviderError(self._say(f"TLS error talking to {host}: check api_url"),
                                     code="tls_error") from exc
        except TimeoutError as exc:
            conn.close()
            raise TransientError(self._say(f"timed out connecting to {host}"),
                                 code="connect_timeout") from exc
        except OSError as exc:  # refused, DNS: nothing was written
            conn.close()
            raise TransientError(self._say(f"cannot reach {host} ({type(exc).__name__})"),
                                 code="connect_error") from exc
        conn.timeout = self.timeout
        assert conn.sock is not None
        conn.sock.settimeout(ticket.remaining())
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _say(self, text: str) -> str:
        return scrub(f"{self.name}: {text}", self.secrets)

    def close(self) -> None:
        """Close every connection of every thread; shut down first, so a thread blocked
        reading one returns at once instead of holding its buffer (and us) forever."""
        with self._lock:
            for conn in self._all:
                self._shut(conn)
            self._all.clear()

