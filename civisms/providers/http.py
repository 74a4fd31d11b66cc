"""The HTTP layer every gateway adapter shares, and the retry loop of the send pipeline.

* ``HttpClient``: one pooled connection set per provider, a timeout on every request, and
  the single place where ``requests`` / ``urllib3`` exceptions become civisms errors
  (ARCHITECTURE convention 6). Two transports: ``requests`` (the default; what the
  ``responses`` test library intercepts) and ``urllib3`` (about a third of the CPU per
  call, for mass sending against a local gateway; ``api_params`` ``civisms_http=urllib3``).
* ``raise_for_status``: the generic HTTP-status classification adapters fall back on.
* ``send_with_retry``: capped exponential backoff with jitter, honouring Retry-After; only
  an answer ``civisms.errors.verdict`` allows is retried: a ``TransientError`` that came
  before the gateway could take the message (connect errors, 429, documented "not
  accepted" answers). A read timeout, a connection lost after the request was written and
  an undocumented 5xx carry ``maybe_sent`` and are never retried (docs/sending.md).

Error texts never contain secrets: they are scrubbed, and a foreign exception whose text
would leak one (Kannel puts the password in the query string) is not chained.
"""

from __future__ import annotations

import base64
import hmac
import json as jsonlib
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Literal, NoReturn, Protocol
from urllib.parse import urlencode, urlsplit

from civisms import redact
from civisms.errors import (
    FatalProviderError,
    ProviderError,
    RateLimitedError,
    RecipientError,
    TransientError,
    verdict,
)
from civisms.providers import bounded, deadline
from civisms.providers.deadline import MAX_BODY

if TYPE_CHECKING:
    import requests
    import urllib3

    from civisms.providers.base import OutboundMessage, Provider, SendResult, WebhookRequest

Transport = Literal["requests", "urllib3"]
#: What a gateway error code means for the caller (each adapter keeps a code → kind table).
ErrorKind = Literal["transient", "rate", "recipient", "opt_out", "fatal"]


def provider_error(
    kind: ErrorKind,
    message: str,
    *,
    code: str | None = None,
    raw: object = None,
    retry_after: float | None = None,
) -> ProviderError:
    """The civisms error for an error kind from an adapter's table."""
    if kind == "rate":
        return RateLimitedError(message, code=code, raw=raw, retry_after=retry_after)
    if kind == "transient":
        return TransientError(message, code=code, raw=raw, retry_after=retry_after)
    if kind in ("recipient", "opt_out"):
        return RecipientError(message, code=code, raw=raw, opted_out=kind == "opt_out")
    return FatalProviderError(message, code=code, raw=raw)


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every secret, plain, URL-encoded or base64, replaced by the mask
    (``ProviderConfig.secrets`` adds the base64 Basic-auth ``user:secret`` forms)."""
    return redact.scrub(text, secrets)


def token_matches(request: WebhookRequest, token: str | None) -> bool:
    """Shared-token check for gateways without signatures, constant-time.

    The token may come as the ``civisms_token`` query parameter (civisms appends it to the
    callback URLs it hands out), an ``X-Civisms-Token`` header, or a Basic-auth password.
    No token configured → False: unsigned webhooks are never trusted.
    """
    if not token:
        return False
    offered = (
        request.query.get("civisms_token", [None])[0]
        or request.header("X-Civisms-Token")
        or request.basic_auth_password()
    )
    if not offered:
        return False
    return hmac.compare_digest(offered.encode(), token.encode())


def basic_auth(user: str, password: str) -> str:
    """The ``Authorization`` value for HTTP Basic auth, encoded as UTF-8 (RFC 7617)."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


#: Ceiling on the connect part of the timeout: an unreachable host should fail fast.
CONNECT_TIMEOUT = 10.0


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


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A gateway's answer: status, headers (case-insensitive mapping), raw body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body as JSON; ``ValueError`` when it is not."""
        return jsonlib.loads(self.body)


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


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def raise_for_status(resp: HttpResponse, name: str, detail: str = "") -> None:
    """Raise the generic error for a failed HTTP status; return for 2xx/3xx and other 4xx.

    Adapters call this *after* their own error-code tables, so a gateway code always wins
    over the bare status. 401/403 stop the run (credentials), 404 too (api_url points at
    the wrong place), 429 is a rate limit, 408 is transient (the gateway gave up reading
    the request). A 5xx is transient but ``maybe_sent``: without a gateway's documentation
    saying otherwise, it may have taken the message before failing.
    """
    status = resp.status
    suffix = f": {detail}" if detail else ""
    if status in (401, 403):
        raise FatalProviderError(f"{name}: authentication refused (HTTP {status}){suffix}",
                                 code=str(status), raw=resp.text)
    if status == 404:
        raise FatalProviderError(f"{name}: HTTP 404 from the gateway: check api_url{suffix}",
                                 code="404", raw=resp.text)
    if status == 429:
        raise RateLimitedError(f"{name}: rate limited (HTTP 429){suffix}", code="429",
                               raw=resp.text,
                               retry_after=parse_retry_after(resp.headers.get("Retry-After")))
    if status >= 500 or status == 408:
        raise TransientError(f"{name}: gateway error (HTTP {status}){suffix}",
                             code=str(status), raw=resp.text, maybe_sent=status >= 500)


def fail(
    resp: HttpResponse,
    name: str,
    *,
    kind: ErrorKind | None,
    detail: str,
    code: object = None,
    raw: object = None,
) -> NoReturn:
    """Raise the error for a refused send.

    ``kind`` comes from the adapter's error-code table and wins; without it the HTTP status
    decides (``raise_for_status``); an unknown refusal of a well-formed request fails this
    message only, so that one odd recipient never stops a mass sending.
    """
    code_text = str(code) if code not in (None, "") else str(resp.status)
    message = f"{name}: {detail}" if detail else f"{name}: refused (HTTP {resp.status})"
    if resp.status < 400 and kind is None and code in (None, ""):
        # A 2xx/3xx we cannot read: api_url points at something else, or the gateway took
        # the message and answered in a way we do not know. Stop, and never resend it.
        raise FatalProviderError(
            f"{name}: unreadable answer (HTTP {resp.status}): check api_url",
            code=code_text, raw=raw, maybe_sent=resp.status < 300)
    if kind is not None:
        retry_after = parse_retry_after(resp.headers.get("Retry-After"))
        raise provider_error(kind, message, code=code_text, raw=raw, retry_after=retry_after)
    raise_for_status(resp, name, detail)
    raise provider_error("recipient", message, code=code_text, raw=raw)


# -- retry ------------------------------------------------------------------------------


class Throttle(Protocol):
    """What ``send_with_retry`` needs from a rate limiter (``sending.throttle.TokenBucket``)."""

    def acquire(self, segments: int = 1) -> float: ...


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to retry a transient failure.

    Attempt *n* (0-based) waits ``min(max_delay, base_delay * 2**n)`` scaled by a random
    factor in [0.5, 1] ("equal jitter", so clients spread out yet never retry instantly).
    A Retry-After the gateway sent replaces the backoff; beyond ``max_retry_after`` we give
    up and let the caller reschedule. Only what ``civisms.errors.verdict`` allows is
    retried; ``retry_ambiguous=True`` would also repeat an answer that may have reached the
    gateway (texting someone twice): never the default, used by nothing in civisms.
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0
    retry_ambiguous: bool = False

    def delay(self, attempt: int, error: TransientError, rng: random.Random) -> float | None:
        """Seconds to wait before the next attempt, or None to give up."""
        if attempt + 1 >= self.max_attempts:
            return None
        if not verdict(error).retry and not (error.maybe_sent and self.retry_ambiguous):
            return None
        if error.retry_after is not None:
            if error.retry_after > self.max_retry_after:
                return None
            return error.retry_after + rng.uniform(0, min(1.0, 0.1 * error.retry_after + 0.05))
        backoff = min(self.max_delay, self.base_delay * 2 ** attempt)
        return backoff * rng.uniform(0.5, 1.0)


DEFAULT_POLICY = RetryPolicy()
_RNG = random.Random()


def send_with_retry(
    provider: Provider,
    message: OutboundMessage,
    policy: RetryPolicy = DEFAULT_POLICY,
    *,
    throttle: Throttle | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random = _RNG,
) -> SendResult:
    """Send ``message``, retrying transient failures; every attempt passes the throttle.

    Returns the ``SendResult`` or raises: ``TransientError`` / ``RateLimitedError`` (gave
    up after retries: try the message later), ``RecipientError`` (this message fails, the
    run goes on; ``opted_out`` flags STOP), ``FatalProviderError`` (stop the run).
    """
    attempt = 0
    while True:
        if throttle is not None:
            throttle.acquire(message.segments)
        try:
            return provider.send(message)
        except TransientError as exc:
            wait = policy.delay(attempt, exc, rng)
            if wait is None:
                raise
            sleep(wait)
            attempt += 1
