"""Vonage SMS API adapter: exact requests, per-message status codes, signed webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
from decimal import Decimal
from urllib.parse import parse_qs, urlencode

import pytest
import responses
from provider_helpers import data, form_request, make_row

from civisms.errors import (
    ConfigError,
    FatalProviderError,
    RateLimitedError,
    RecipientError,
    TransientError,
)
from civisms.providers.base import (
    DeliveryReceipt,
    DeliveryStatus,
    InboundMessage,
    OutboundMessage,
    WebhookRequest,
)
from civisms.providers.vonage import STATUSES, VonageProvider

API = "https://rest.nexmo.com/sms/json"


def vonage(params: str = "from=+15550003000", **fields: object) -> VonageProvider:
    values: dict[str, object] = {"username": "abcd1234", "password": "v0nage-api-s3cret"}
    values.update(fields)
    return VonageProvider.from_row(make_row("org.civisms.vonage", params, **values))


@responses.activate
def test_send_accepted_exact_request() -> None:
    responses.add(responses.POST, API, body=data("vonage", "send_ok.json"))
    provider = vonage("from=+15550003000\ncallback=https://civisms.example/dlr?p=5")
    result = provider.send(OutboundMessage("+15558675310", "Hello", client_ref="job-7-c-42"))
    request = responses.calls[0].request
    # Field for field what the official vonage 4.9 SDK sends (tests/providers/data/vonage/
    # sdk_request.txt): credentials in a Basic header, none in the body.
    assert parse_qs(request.body) == parse_qs(data("vonage", "sdk_request.txt").decode())
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(
        b"abcd1234:v0nage-api-s3cret").decode()
    assert "s3cret" not in request.body
    assert result.message_id == "0A0000000123ABCD1"
    assert result.status is DeliveryStatus.ACCEPTED  # status 0 is not delivery
    assert result.price == Decimal("0.03330000") and result.segments == 1


@responses.activate
def test_unicode_and_alphanumeric_sender_and_multipart() -> None:
    responses.add(responses.POST, API, body=data("vonage", "send_ok_two_parts.json"))
    result = vonage("from=MyOrg").send(OutboundMessage("+15558675310", "Добрый день"))
    sent = parse_qs(responses.calls[0].request.body)
    assert sent["type"] == ["unicode"] and sent["from"] == ["MyOrg"]
    assert result.segments == 2
    assert result.part_ids == ("0A0000000123ABCD1", "0A0000000123ABCD2")
    assert result.price == Decimal("0.06660000")


@responses.activate
@pytest.mark.parametrize(("name", "cls", "opted_out"), [
    ("status_1_throttled.json", RateLimitedError, None),
    ("status_3_invalid_params.json", RecipientError, False),
    ("status_4_bad_credentials.json", FatalProviderError, None),
    ("status_5_internal.json", TransientError, None),
    ("status_7_barred.json", RecipientError, True),
    ("status_9_quota.json", FatalProviderError, None),
    ("status_99_unknown.json", RecipientError, False),
])
def test_per_message_status_codes(name: str, cls: type, opted_out: bool | None) -> None:
    responses.add(responses.POST, API, body=data("vonage", name))  # HTTP 200 all the same
    with pytest.raises(cls) as info:
        vonage().send(OutboundMessage("+15558675310", "x"))
    assert type(info.value) is cls
    if opted_out is not None:
        assert info.value.opted_out is opted_out
    assert "v0nage-api-s3cret" not in str(info.value)


@responses.activate
@pytest.mark.parametrize(("status", "body", "cls"), [
    (401, "{}", FatalProviderError), (429, "", RateLimitedError), (500, "oops", TransientError),
    (200, "<html>proxy</html>", FatalProviderError),
])
def test_http_level_errors(status: int, body: str, cls: type) -> None:
    responses.add(responses.POST, API, body=body, status=status)
    with pytest.raises(cls):
        vonage().send(OutboundMessage("+15558675310", "x"))


def test_configuration_errors() -> None:
    with pytest.raises(ConfigError, match="from"):
        vonage("")
    with pytest.raises(ConfigError, match="signature_method"):
        vonage("from=X\nsignature_method=crc32")


# -- webhooks -----------------------------------------------------------------------------

SECRET = "sig-s3cret"


def signed_query(params: dict[str, str], method: str) -> str:
    text = "".join(f"&{k}={v.replace('&', '_').replace('=', '_')}"
                   for k, v in sorted(params.items()))
    if method == "md5hash":
        sig = hashlib.md5((text + SECRET).encode()).hexdigest()
    else:
        sig = hmac.new(SECRET.encode(), text.encode(), getattr(hashlib, method)).hexdigest()
    return urlencode({**params, "sig": sig.upper()})  # Vonage's case does not matter


@pytest.mark.parametrize("method", ["md5hash", "md5", "sha1", "sha256", "sha512"])
def test_signed_webhook_good_bad_missing(method: str) -> None:
    provider = vonage(f"from=X\nsignature_secret={SECRET}\nsignature_method={method}")
    params = dict(parse_qs(data("vonage", "dlr_delivered.txt").decode()))
    flat = {k: v[0] for k, v in params.items()}
    flat["timestamp"] = "1692853333"
    flat["text"] = "a&b=c"  # '&' and '=' are replaced by '_' before signing
    good = WebhookRequest("GET", "https://civisms.example/dlr?" + signed_query(flat, method))
    assert provider.verify_webhook(good)
    tampered = WebhookRequest("GET", good.url.replace("delivered", "expired"))
    assert not provider.verify_webhook(tampered)
    missing = WebhookRequest("GET", "https://civisms.example/dlr?" + urlencode(flat))
    assert not provider.verify_webhook(missing)


def test_unsigned_webhooks_need_the_token() -> None:
    body = data("vonage", "dlr_delivered.txt")
    assert not vonage().verify_webhook(form_request("https://h/dlr", body))
    provider = vonage("from=X\nwebhook_token=t0ken-1")
    assert provider.verify_webhook(form_request("https://h/dlr?civisms_token=t0ken-1", body))
    assert not provider.verify_webhook(form_request("https://h/dlr?civisms_token=nope", body))


def test_dlr_and_inbound_parsing() -> None:
    url = "https://civisms.example/dlr?" + data("vonage", "dlr_delivered.txt").decode()
    [dlr] = vonage().parse_webhook(WebhookRequest("GET", url))
    assert isinstance(dlr, DeliveryReceipt)
    assert dlr.message_id == "0A0000000123ABCD1" and dlr.status is DeliveryStatus.DELIVERED
    assert dlr.to == "15558675310" and dlr.client_ref == "job-7-contact-42"
    assert dlr.error_code is None and dlr.price == Decimal("0.03330000")
    [inbound] = vonage().parse_webhook(form_request("https://h/in", data("vonage", "inbound.txt")))
    assert isinstance(inbound, InboundMessage)
    assert inbound.sender == "15558675310" and inbound.text == "Hello back!"
    assert inbound.message_id == "0B00000053FFB40F"


@pytest.mark.parametrize(("status", "expected"),
                         [*STATUSES.items(), ("vaporized", DeliveryStatus.UNKNOWN)])
def test_each_status_mapping(status: str, expected: DeliveryStatus) -> None:
    body = urlencode({"messageId": "X1", "msisdn": "1555", "status": status,
                      "err-code": "5"}).encode()
    [dlr] = vonage().parse_webhook(form_request("https://h/dlr", body))
    assert dlr.status is expected and dlr.error_code == "5"
