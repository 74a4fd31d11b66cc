"""Twilio adapter: exact requests, error classes, signatures, status mapping."""

from __future__ import annotations

import base64
import hashlib
import json
from decimal import Decimal
from urllib.parse import parse_qs, urlencode

import pytest
import responses
from provider_helpers import TWILIO_SID, TWILIO_TOKEN, data, form_request, json_request, make_row

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
    sticky_choice,
)
from civisms.providers.twilio import STATUSES, TwilioProvider, twilio_signature

API = f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
POOL = "+15550003000|+15550003001|+15550003002"


def twilio(params: str = f"From={POOL}", **fields: object) -> TwilioProvider:
    values: dict[str, object] = {"username": TWILIO_SID, "password": TWILIO_TOKEN,
                                 "api_url": "https://api.twilio.com/"}
    values.update(fields)
    return TwilioProvider.from_row(make_row("org.civicrm.sms.twilio", params, **values))


def sent_form(call: responses.Call) -> dict[str, list[str]]:
    return parse_qs(call.request.body)


@responses.activate
def test_send_accepted_exact_request() -> None:
    responses.add(responses.POST, API, body=data("twilio", "send_queued.json"), status=201,
                  content_type="application/json")
    result = twilio().send(OutboundMessage("+15558675310", "Hello from civisms"))
    call = responses.calls[0]
    assert call.request.headers["Authorization"] == "Basic " + base64.b64encode(
        f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    assert call.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    expected_from = sticky_choice(tuple(POOL.split("|")), "+15558675310")
    assert sent_form(call) == {"To": ["+15558675310"], "Body": ["Hello from civisms"],
                               "From": [expected_from]}
    assert result.message_id == "SM1f0e8ae6ade43cb3c0ce4525424e404f"
    assert result.status is DeliveryStatus.QUEUED  # accepted by Twilio, not delivered
    assert result.segments == 1 and result.price is None and result.currency == "USD"
    assert result.raw["sid"] == result.message_id


@responses.activate
def test_messaging_service_and_status_callback_with_equals_in_url() -> None:
    responses.add(responses.POST, API, body=data("twilio", "send_accepted_service.json"),
                  status=201)
    params = ("MessagingServiceSid=MG9752274e9e519418a7406176694466fa\n"
              "StatusCallback=https://civisms.example/webhooks?provider_id=3\nmo=1\n"
              "ValidityPeriod=600")
    result = twilio(params).send(OutboundMessage("+15558675310", "Hi"))
    assert sent_form(responses.calls[0]) == {
        "To": ["+15558675310"], "Body": ["Hi"],
        "MessagingServiceSid": ["MG9752274e9e519418a7406176694466fa"],
        "StatusCallback": ["https://civisms.example/webhooks?provider_id=3"],
        "ValidityPeriod": ["600"],
    }
    assert result.status is DeliveryStatus.ACCEPTED
    assert result.segments is None  # 0 until the service picks a sender


@responses.activate
def test_price_is_reported_positive() -> None:
    responses.add(responses.POST, API, body=data("twilio", "send_sent_priced.json"), status=201)
    result = twilio().send(OutboundMessage("+15558675310", "x", sender="+15550009999"))
    assert sent_form(responses.calls[0])["From"] == ["+15550009999"]
    assert result.price == Decimal("0.01500") and result.segments == 2
    assert result.status is DeliveryStatus.SENT


@responses.activate
def test_civicrm_style_api_url_and_api_key_account() -> None:
    url = "https://api.twilio.com/2010-04-01/Accounts/ACother0000000000000000000000000/Messages.json"
    responses.add(responses.POST, url, body=data("twilio", "send_queued.json"), status=201)
    provider = twilio("From=+15550003000\nAccountSid=ACother0000000000000000000000000",
                      username="SK0000", api_url="https://api.twilio.com/2010-04-01/Accounts/")
    provider.send(OutboundMessage("+15558675310", "x"))
    assert responses.calls[0].request.url == url


@responses.activate
@pytest.mark.parametrize(("name", "status", "cls", "opted_out"), [
    ("error_21211_invalid_to.json", 400, RecipientError, False),
    ("error_21614_not_mobile.json", 400, RecipientError, False),
    ("error_21610_unsubscribed.json", 400, RecipientError, True),
    ("error_20003_auth.json", 401, FatalProviderError, None),
    ("error_30002_suspended.json", 400, FatalProviderError, None),
    ("error_20429_too_many.json", 429, RateLimitedError, None),
    ("error_21999_unknown.json", 400, RecipientError, False),
    ("error_503.html", 503, TransientError, None),
    ("error_503.html", 200, FatalProviderError, None),  # a web page, not Twilio: api_url
])
def test_error_classes(name: str, status: int, cls: type, opted_out: bool | None) -> None:
    responses.add(responses.POST, API, body=data("twilio", name), status=status,
                  headers={"Retry-After": "2"})
    with pytest.raises(cls) as info:
        twilio().send(OutboundMessage("+15558675310", "x"))
    err = info.value
    assert type(err) is cls
    if opted_out is not None:
        assert err.opted_out is opted_out
    if cls is RateLimitedError:
        assert err.retry_after == 2 and err.code == "20429"
    assert TWILIO_TOKEN not in str(err)


@responses.activate
def test_network_error_is_transient() -> None:
    import requests

    responses.add(responses.POST, API, body=requests.exceptions.ConnectionError("reset"))
    with pytest.raises(TransientError):
        twilio().send(OutboundMessage("+15558675310", "x"))


def test_configuration_errors() -> None:
    with pytest.raises(ConfigError, match="From"):
        twilio("mo=1")
    with pytest.raises(ConfigError, match="Auth Token"):
        twilio(password=None)


# -- signatures ---------------------------------------------------------------------------

DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
              "From": "+12349013030", "To": "+18005551212"}
DOC_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_twilio_documented_example() -> None:
    params = {k: [v] for k, v in DOC_PARAMS.items()}
    assert twilio_signature("12345", DOC_URL, params) == DOC_SIGNATURE
    provider = twilio(password="12345")
    body = urlencode(DOC_PARAMS).encode()
    assert provider.verify_webhook(form_request(DOC_URL, body,
                                                {"X-Twilio-Signature": DOC_SIGNATURE}))


def test_signature_bad_or_missing() -> None:
    provider = twilio(password="12345")
    body = urlencode(DOC_PARAMS).encode()
    bad = form_request(DOC_URL, body, {"X-Twilio-Signature": "AAAACTR6DLpKmkAf8muzZqo1nDgQ="})
    assert not provider.verify_webhook(bad)
    tampered = form_request(DOC_URL, body.replace(b"1234", b"9999"),
                            {"X-Twilio-Signature": DOC_SIGNATURE})
    assert not provider.verify_webhook(tampered)
    assert not provider.verify_webhook(form_request(DOC_URL, body))
    assert not twilio(password="54321").verify_webhook(
        form_request(DOC_URL, body, {"X-Twilio-Signature": DOC_SIGNATURE}))


@pytest.mark.parametrize(("signed", "received"), [
    ("https://mycompany.com:443/myapp.php?foo=1&bar=2", DOC_URL),
    (DOC_URL, "https://mycompany.com:443/myapp.php?foo=1&bar=2"),
    ("http://example.org:80/cb", "http://example.org/cb"),
])
def test_signature_with_and_without_port(signed: str, received: str) -> None:
    params = {k: [v] for k, v in DOC_PARAMS.items()}
    signature = twilio_signature("12345", signed, params)
    req = form_request(received, urlencode(DOC_PARAMS).encode(),
                       {"X-Twilio-Signature": signature})
    assert twilio(password="12345").verify_webhook(req)


def test_json_webhook_with_body_sha256() -> None:
    body = json.dumps({"MessageSid": "SM1", "MessageStatus": "delivered"}).encode()
    url = f"https://h.example/cb?bodySHA256={hashlib.sha256(body).hexdigest()}"
    signature = twilio_signature("12345", url, {})
    provider = twilio(password="12345")
    assert provider.verify_webhook(json_request(url, body, {"X-Twilio-Signature": signature}))
    assert not provider.verify_webhook(json_request(url, body + b" ",
                                                    {"X-Twilio-Signature": signature}))


# -- parsing ------------------------------------------------------------------------------

URL_CB = "https://civisms.example/webhooks/twilio"


def test_status_callback_becomes_a_receipt() -> None:
    [event] = twilio().parse_webhook(form_request(URL_CB, data(
        "twilio", "status_callback_delivered.txt")))
    assert isinstance(event, DeliveryReceipt)
    assert event.message_id == "SM1f0e8ae6ade43cb3c0ce4525424e404f"
    assert event.status is DeliveryStatus.DELIVERED
    assert event.to == "+15558675310" and event.timestamp == "2308240502"
    [event] = twilio().parse_webhook(form_request(URL_CB, data(
        "twilio", "status_callback_undelivered.txt")))
    assert event.status is DeliveryStatus.UNDELIVERED and event.error_code == "30003"


def test_inbound_message_with_media() -> None:
    [event] = twilio().parse_webhook(form_request(URL_CB, data("twilio", "inbound_sms.txt")))
    assert isinstance(event, InboundMessage)
    assert event.sender == "+15558675310" and event.to == "+15550003000"
    assert event.text == "STOP please été"
    assert event.message_id == "SMaaaa1111bbbb2222cccc3333dddd4444"
    assert event.segments == 1 and len(event.media_urls) == 1


@pytest.mark.parametrize(("num_media", "media"), [
    (":", 0), ("²", 0), ("-1", 0), ("999999999999", 0), ("999999999", 1),
])
def test_inbound_with_a_forged_media_count_is_still_a_reply(num_media: str, media: int) -> None:
    # Found by the webhook fuzz: NumMedia=":" crashed the parser (a 500 for the gateway),
    # and a huge count would have looped.
    body = urlencode({"From": "+15558675310", "Body": "hi", "NumMedia": num_media,
                      "NumSegments": "²", "MediaUrl0": "https://x.example/m"}).encode()
    [event] = twilio().parse_webhook(form_request(URL_CB, body))
    assert isinstance(event, InboundMessage) and event.text == "hi"
    assert event.segments is None
    assert len(event.media_urls) == media


@pytest.mark.parametrize(("twilio_status", "expected"),
                         [*STATUSES.items(), ("exploded", DeliveryStatus.UNKNOWN)])
def test_each_status_mapping(twilio_status: str, expected: DeliveryStatus) -> None:
    body = urlencode({"MessageSid": "SM1", "MessageStatus": twilio_status}).encode()
    [event] = twilio().parse_webhook(form_request(URL_CB, body))
    assert event.status is expected
    assert event.provider_status == twilio_status


def test_unrelated_request_yields_nothing() -> None:
    assert twilio().parse_webhook(form_request(URL_CB, b"hello=world")) == []
    assert twilio().webhook_reply([])[2] == "text/xml"
