"""``HttpClient``: pooled HTTP for one provider over ``requests`` or urllib3.

One connection pool per provider, one deadline per request (``deadline``), at most
``MAX_BODY`` bytes of answer read, and the single place where ``requests`` / urllib3
exceptions become civisms errors (ARCHITECTURE convention 6). Two transports:
``requests`` (the default; what the ``responses`` test library intercepts) and urllib3
(about a third of the CPU per call; ``api_params`` ``civisms_http=urllib3``). Both
libraries are imported when a client is made, never by the mass-sending hot path, which
uses ``lean_http`` (start-up, docs/jobs.md).

Error texts never contain secrets: they are scrubbed, and a foreign exception whose text
would leak one (Kannel puts the password in the query string) is not chained.
"""

from __future__ import annotations

import json as jsonlib
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode, urlsplit

from civisms.errors import FatalProviderError, ProviderError, TransientError
from civisms.providers import bounded, deadline
from civisms.providers.deadline import MAX_BODY
from civisms.providers.http import CONNECT_TIMEOUT, HttpResponse, basic_auth, scrub

if TYPE_CHECKING:
    import requests
    import urllib3

Transport = Literal["requests", "urllib3"]


class _ScrubFilter(logging.Filter):
    """Masks provider secrets in urllib3's debug lines (they show full URLs, and Kannel
    puts the password in the query string)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            text = record.getMessage()
            clean = scrub(text, tuple(self.secrets))
            if clean != text:
                record.msg, record.args = clean, None
        return True


_LOG_FILTER = _ScrubFilter()
logging.getLogger("urllib3.connectionpool").addFilter(_LOG_FILTER)


class HttpClient:
    """Pooled HTTP for one provider; every exception leaves as a ``ProviderError``."""

    def __init__(
        self,
        name: str,
        *,
        timeout: float,
        secrets: tuple[str, ...] = (),
        transport: Transport = "requests",
        pool_size: int = 32,
    ) -> None:
        # Imported here, not at the top: the lean hot path never needs them (start-up).
        import requests
        import urllib3

        from civisms.providers import watched

        self.name = name
        self.secrets = secrets
        _LOG_FILTER.secrets.update(secrets)
        self.transport = transport
        self._timeout = (min(CONNECT_TIMEOUT, timeout), timeout)
        self._session: requests.Session | None = None
        self._pool: urllib3.PoolManager | None = None
        if transport == "urllib3":
            self._pool = watched.watched(urllib3.PoolManager(
                maxsize=pool_size, block=False, retries=False,
                timeout=urllib3.Timeout(connect=self._timeout[0], read=self._timeout[1]),
            ))
        else:
            session = requests.Session()
            # Retries are ours (send_with_retry): never let the adapter resend a POST.
            adapter = watched.WatchedAdapter(pool_connections=4, pool_maxsize=pool_size,
                                             max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._session = session

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
        """Make one request (no retries) within one deadline (``timeout`` seconds for
        connecting and every read together), reading at most ``MAX_BODY`` bytes of answer;
        network failures raise civisms errors."""
        import requests
        import urllib3

        from civisms.providers import watched

        with deadline.watch(self._timeout[1]) as ticket, deadline.as_current(ticket):
            timeout = (min(self._timeout[0], ticket.remaining()), ticket.remaining())
            try:
                if self._pool is not None:
                    raw = self._urllib3(method, url, params, data, json, headers, auth,
                                        timeout)
                else:
                    raw = self._requests(method, url, params, data, json, headers, auth,
                                         timeout)
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                raise self._translate(exc, url, ticket) from self._chainable(exc)
            try:
                body = watched.read_urllib3(raw, MAX_BODY)
            except bounded.TooLarge as exc:
                raw.close()  # unread bytes: this connection must not serve another request
                host = urlsplit(url).netloc.rpartition("@")[2]
                raise bounded.too_large_error(
                    self._say(f"answer from {host} {exc}: not read"), raw.status) from None
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                raw.close()
                raise self._lost(exc, url, ticket) from self._chainable(exc)
            raw.release_conn()
        return HttpResponse(raw.status, raw.headers, body)

    def _requests(self, method: str, url: str, params: Mapping[str, str] | None,
                  data: Mapping[str, str] | None, json: Any,
                  headers: Mapping[str, str] | None, auth: tuple[str, str] | None,
                  timeout: tuple[float, float]) -> urllib3.BaseHTTPResponse:
        assert self._session is not None
        sent = dict(headers or {})
        if auth is not None:  # requests would encode it as Latin-1, failing on "€"
            sent["Authorization"] = basic_auth(*auth)
        resp = self._session.request(
            method, url, params=params, data=data, json=json, headers=sent,
            timeout=timeout, allow_redirects=False, stream=True,
        )
        return resp.raw  # type: ignore[no-any-return]

    def _urllib3(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        json: Any,
        headers: Mapping[str, str] | None,
        auth: tuple[str, str] | None,
        timeout: tuple[float, float],
    ) -> urllib3.BaseHTTPResponse:
        import urllib3

        assert self._pool is not None
        sent_headers = dict(headers or {})
        body: bytes | None = None
        if params:
            url += ("&" if urlsplit(url).query else "?") + urlencode(params)
        if data is not None:
            body = urlencode(data).encode()
            sent_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif json is not None:
            body = jsonlib.dumps(json).encode()
            sent_headers.setdefault("Content-Type", "application/json")
        if auth is not None:
            sent_headers["Authorization"] = basic_auth(*auth)
        return self._pool.request(
            method, url, body=body, headers=sent_headers, redirect=False, retries=False,
            preload_content=False,
            timeout=urllib3.Timeout(connect=timeout[0], read=timeout[1]),
        )

    def _lost(self, exc: Exception, url: str, ticket: deadline.Ticket) -> ProviderError:
        import urllib3

        # While reading the answer: the gateway had the whole request.
        host = urlsplit(url).netloc.rpartition("@")[2] or url
        if ticket.aborted:
            return TransientError(self._say(f"request to {host} cut: the run is stopping"),
                                  code="interrupted", maybe_sent=True)
        if ticket.expired or isinstance(_cause(exc), TimeoutError
                                        | urllib3.exceptions.ReadTimeoutError):
            return TransientError(self._say(f"no complete answer from {host} within "
                                            f"{self._timeout[1]:g} s"), code="read_timeout",
                                  maybe_sent=True)
        return TransientError(self._say(f"connection to {host} lost ({type(exc).__name__})"),
                              code="connection_lost", maybe_sent=True)

    def _translate(self, exc: Exception, url: str,
                   ticket: deadline.Ticket | None = None) -> ProviderError:
        import requests
        import urllib3

        host = urlsplit(url).netloc.rpartition("@")[2] or url
        kind = type(exc).__name__
        if ticket is not None and (ticket.expired or ticket.aborted):
            return self._lost(exc, url, ticket)
        exc = _cause(exc)
        if isinstance(exc, requests.exceptions.SSLError | urllib3.exceptions.SSLError):
            return FatalProviderError(self._say(f"TLS error talking to {host}: check api_url"),
                                      code="tls_error")
        # urllib3's NewConnectionError is a ConnectTimeoutError too: test it first.
        if isinstance(exc, urllib3.exceptions.NewConnectionError):  # refused, DNS: not sent
            return TransientError(self._say(f"cannot reach {host} ({kind})"),
                                  code="connect_error")
        if isinstance(exc, requests.exceptions.ConnectTimeout
                      | urllib3.exceptions.ConnectTimeoutError):
            return TransientError(self._say(f"timed out connecting to {host}"),
                                  code="connect_timeout")
        if isinstance(exc, requests.exceptions.ReadTimeout | urllib3.exceptions.ReadTimeoutError):
            # Ambiguous: the gateway may have taken the message before going silent.
            return TransientError(self._say(f"no answer from {host} within "
                                            f"{self._timeout[1]:g} s"), code="read_timeout",
                                  maybe_sent=True)
        if isinstance(exc, requests.exceptions.InvalidURL
                      | requests.exceptions.MissingSchema | requests.exceptions.InvalidSchema
                      | urllib3.exceptions.LocationValueError):
            return FatalProviderError(self._say(f"invalid gateway URL ({kind}): check api_url"),
                                      code="bad_url")
        # Lost after connecting: the request may have been written and taken.
        return TransientError(self._say(f"connection to {host} lost ({kind})"),
                              code="connection_lost", maybe_sent=True)

    def _say(self, text: str) -> str:
        return scrub(f"{self.name}: {text}", self.secrets)

    def _chainable(self, exc: Exception) -> Exception | None:
        # Chain the original (convention 6) unless its text would reveal a secret.
        return exc if scrub(str(exc), self.secrets) == str(exc) else None

    def close(self) -> None:
        """Close pooled connections."""
        if self._session is not None:
            self._session.close()
        if self._pool is not None:
            self._pool.clear()


def _cause(exc: Exception) -> Exception:
    """The urllib3 error under a requests one (and under urllib3's ``MaxRetryError``)."""
    import requests
    import urllib3

    if isinstance(exc, requests.RequestException) and exc.args and \
            isinstance(exc.args[0], urllib3.exceptions.HTTPError):
        exc = exc.args[0]
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        exc = exc.reason
    return exc
