"""The shared HTTP layer (exception mapping, secrets) and the retry loop."""

from __future__ import annotations

import random
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
import responses
import urllib3
from provider_helpers import make_row

from civisms.errors import (
    FatalProviderError,
    RateLimitedError,
    RecipientError,
    TransientError,
)
from civisms.providers.base import DeliveryStatus, OutboundMessage, SendResult
from civisms.providers.http import (
    HttpResponse,
    RetryPolicy,
    parse_retry_after,
    raise_for_status,
    send_with_retry,
)
from civisms.providers.kannel import KannelProvider
from civisms.providers.local import LocalProvider
from civisms.providers.pooled import HttpClient

URL = "https://gw.example/send"


@responses.activate
@pytest.mark.parametrize(("exc", "cls", "code", "maybe_sent"), [
    (requests.exceptions.ConnectTimeout("x"), TransientError, "connect_timeout", False),
    (requests.exceptions.ReadTimeout("x"), TransientError, "read_timeout", True),
    (requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(None, URL, urllib3.exceptions.NewConnectionError(
            None, "refused"))), TransientError, "connect_error", False),
    # A connection error of unknown cause may have come after the request was written.
    (requests.exceptions.ConnectionError("x"), TransientError, "connection_lost", True),
    (requests.exceptions.SSLError("x"), FatalProviderError, "tls_error", False),
    (requests.exceptions.ChunkedEncodingError("x"), TransientError, "connection_lost", True),
])
def test_requests_exceptions_become_civisms_errors(exc: Exception, cls: type, code: str,
                                                   maybe_sent: bool) -> None:
    responses.add(responses.POST, URL, body=exc)
    client = HttpClient("GW", timeout=5)
    with pytest.raises(cls) as info:
        client.request("POST", URL, data={"a": "1"})
    assert type(info.value) is cls
    assert info.value.code == code
    assert info.value.maybe_sent is maybe_sent
    assert info.value.__cause__ is exc  # translated once, chained


def test_invalid_url_is_a_configuration_problem() -> None:
    with pytest.raises(FatalProviderError, match="check api_url"):
        HttpClient("GW", timeout=5).request("GET", "not a url")
    with pytest.raises(FatalProviderError, match="check api_url"):
        HttpClient("GW", timeout=5, transport="urllib3").request("GET", "ftp://x/")


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("transport", ["requests", "urllib3"])
def test_refused_connection_is_transient_and_never_shows_the_password(transport: str) -> None:
    port = _dead_port()
    row = make_row("org.civisms.kannel", api_url=f"http://127.0.0.1:{port}/cgi-bin/sendsms",
                   password="pa ss/wörd-42", api_params_raw=f"civisms_http={transport}")
    provider = KannelProvider.from_row(row)
    with pytest.raises(TransientError) as info:
        provider.send(OutboundMessage("+15558675310", "hi"))
    err = info.value
    assert "127.0.0.1" in str(err)
    # requests' own message carries the URL with the password in the query string:
    # it must not be chained where a traceback would print it.
    chain = [err, err.__cause__, err.__context__ if not err.__suppress_context__ else None]
    for item in chain:
        assert item is None or ("pa+ss" not in str(item) and "pa%20ss" not in str(item))
        assert item is None or ("wörd" not in str(item) and "w%C3%B6rd" not in str(item))


def test_retry_after_parsing() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    when = datetime(2030, 1, 1, tzinfo=UTC)
    now = (when - timedelta(seconds=30)).timestamp()
    assert parse_retry_after(format_datetime(when, usegmt=True), now=now) == pytest.approx(30)


@pytest.mark.parametrize(("status", "cls"), [
    (401, FatalProviderError), (403, FatalProviderError), (404, FatalProviderError),
    (429, RateLimitedError), (500, TransientError), (503, TransientError),
    (408, TransientError),
])
def test_generic_status_classes(status: int, cls: type) -> None:
    with pytest.raises(cls) as info:
        raise_for_status(HttpResponse(status, {"Retry-After": "3"}, b""), "GW")
    assert type(info.value) is cls
    if cls is RateLimitedError:
        assert info.value.retry_after == 3
    raise_for_status(HttpResponse(200, {}, b""), "GW")  # no error
    raise_for_status(HttpResponse(400, {}, b""), "GW")  # left to the adapter


class Flaky(LocalProvider):
    """A local provider failing with the given errors first."""

    def __init__(self, errors: list[Exception]) -> None:
        super().__init__(LocalProvider.from_row(make_row("org.civisms.local")).config)
        self.errors = errors
        self.calls = 0

    def send(self, message: OutboundMessage) -> SendResult:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return super().send(message)


class CountingThrottle:
    def __init__(self) -> None:
        self.segments: list[int] = []

    def acquire(self, segments: int = 1) -> float:
        self.segments.append(segments)
        return 0.0


MSG = OutboundMessage("+15558675310", "hello", segments=2)


def test_transient_errors_are_retried_with_capped_exponential_backoff() -> None:
    sleeps: list[float] = []
    provider = Flaky([TransientError("a"), TransientError("b"), TransientError("c")])
    throttle = CountingThrottle()
    policy = RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=3.0)
    result = send_with_retry(provider, MSG, policy, throttle=throttle, sleep=sleeps.append,
                             rng=random.Random(1))
    assert result.status is DeliveryStatus.ACCEPTED
    assert provider.calls == 4
    assert throttle.segments == [2, 2, 2, 2]  # every attempt pays its segments
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0 and 1.5 <= sleeps[2] <= 3.0


def test_retry_after_is_honoured_and_too_long_gives_up() -> None:
    sleeps: list[float] = []
    provider = Flaky([RateLimitedError("slow down", retry_after=7)])
    send_with_retry(provider, MSG, sleep=sleeps.append)
    assert 7 <= sleeps[0] <= 8
    provider = Flaky([RateLimitedError("come back tomorrow", retry_after=86400)])
    with pytest.raises(RateLimitedError):
        send_with_retry(provider, MSG, sleep=sleeps.append)
    assert provider.calls == 1


def test_gives_up_after_max_attempts() -> None:
    provider = Flaky([TransientError(str(i)) for i in range(10)])
    with pytest.raises(TransientError, match="2"):
        send_with_retry(provider, MSG, RetryPolicy(max_attempts=3), sleep=lambda s: None)
    assert provider.calls == 3


def test_an_answer_that_may_have_reached_the_gateway_is_never_retried_by_default() -> None:
    provider = Flaky([TransientError("silent", code="read_timeout", maybe_sent=True)])
    with pytest.raises(TransientError):
        send_with_retry(provider, MSG, sleep=lambda s: pytest.fail("slept"))
    assert provider.calls == 1
    assert RetryPolicy().retry_ambiguous is False


@pytest.mark.parametrize("error", [
    RecipientError("bad number"), RecipientError("STOP", opted_out=True),
    FatalProviderError("bad token"),
])
def test_recipient_and_fatal_errors_are_never_retried(error: Exception) -> None:
    provider = Flaky([error])
    with pytest.raises(type(error)):
        send_with_retry(provider, MSG, sleep=lambda s: pytest.fail("slept"))
    assert provider.calls == 1
