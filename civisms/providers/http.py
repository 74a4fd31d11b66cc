"""The HTTP layer every gateway adapter shares, and the retry loop of the send pipeline.

* ``HttpResponse``, ``basic_auth``, ``scrub``: what every HTTP client of an adapter shares
  (``pooled.HttpClient`` over requests or urllib3, ``lean_http.LeanHttpClient``).
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
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Literal, NoReturn, Protocol

from civisms import redact
from civisms.errors import (
    FatalProviderError,
    ProviderError,
    RateLimitedError,
    RecipientError,
    TransientError,
    verdict,
)

if TYPE_CHECKING:
    from civisms.providers.base import OutboundMessage, Provider, SendResult, WebhookRequest

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
