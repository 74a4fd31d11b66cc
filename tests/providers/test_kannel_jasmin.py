"""Generic HTTP gateways: Kannel sendsms and Jasmin /send."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

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
from civisms.providers.base import DeliveryReceipt, DeliveryStatus, InboundMessage, OutboundMessage
from civisms.providers.kannel import (
    JASMIN_STATUSES,
    KANNEL_STATUSES,
    JasminProvider,
    KannelProvider,
)

KANNEL = "http://127.0.0.1:13013/cgi-bin/sendsms"
JASMIN = "http://127.0.0.1:1401/send"
DLR = "https://civisms.example/webhooks/9"


def kannel(params: str = "from=15550003000", **fields: object) -> KannelProvider:
    values: dict[str, object] = {"username": "tester", "password": "k4nnel-pw"}
    values.update(fields)
    return KannelProvider.from_row(make_row("org.civisms.kannel", params, **values))


def jasmin(params: str = "from=15550003000", **fields: object) -> JasminProvider:
    values: dict[str, object] = {"username": "civisms", "password": "j4smin-pw"}
    values.update(fields)
    return JasminProvider.from_row(make_row("org.civisms.jasmin", params, **values))


@responses.activate
def test_kannel_exact_request_with_dlr_url() -> None:
    responses.add(responses.GET, KANNEL, body=data("kannel", "accepted.txt"), status=202)
    provider = kannel(f"from=15550003000\ndlr-url={DLR}?x=1\nwebhook_token=tok-9\nsmsc=smsc1")
    result = provider.send(OutboundMessage("+15558675310", "Hello", client_ref="job7c42"))
    query = parse_qs(urlsplit(responses.calls[0].request.url).query)
    assert query == {
        "username": ["tester"], "password": ["k4nnel-pw"], "to": ["+15558675310"],
        "text": ["Hello"], "charset": ["UTF-8"], "from": ["15550003000"], "dlr-mask": ["31"],
        "dlr-url": [f"{DLR}?x=1&civisms_id=job7c42&civisms_token=tok-9"
                    "&dlr=%d&answer=%A&ts=%t"],
        "smsc": ["smsc1"],
    }
    assert result.message_id == "job7c42" and result.status is DeliveryStatus.ACCEPTED


@responses.activate
def test_kannel_unicode_queued_and_generated_id() -> None:
    responses.add(responses.GET, KANNEL, body=data("kannel", "queued.txt"), status=202)
    result = kannel("").send(OutboundMessage("+15558675310", "Привет"))
    query = parse_qs(urlsplit(responses.calls[0].request.url).query)
    assert query["coding"] == ["2"] and query["text"] == ["Привет"] and "from" not in query
    assert "dlr-url" not in query
    assert result.status is DeliveryStatus.QUEUED and len(result.message_id or "") == 32


@responses.activate
@pytest.mark.parametrize(("name", "status", "cls"), [
    ("auth_failed.txt", 403, FatalProviderError),
    ("sender_missing.txt", 400, FatalProviderError),
    ("missing_receiver.txt", 400, RecipientError),
    ("denied.txt", 403, RecipientError),
    ("temporal_failure.txt", 503, TransientError),
    ("accepted.txt", 500, TransientError),
])
def test_kannel_error_classes(name: str, status: int, cls: type) -> None:
    responses.add(responses.GET, KANNEL, body=data("kannel", name), status=status)
    with pytest.raises(cls) as info:
        kannel().send(OutboundMessage("+15558675310", "x"))
    assert type(info.value) is cls
    assert "k4nnel-pw" not in str(info.value)


def test_kannel_api_url_without_path_and_digits_format() -> None:
    provider = kannel("number_format=digits", api_url="http://10.0.0.5:13013")
    assert provider.url == "http://10.0.0.5:13013/cgi-bin/sendsms"
    assert provider.number("+15558675310") == "15558675310"


def test_kannel_webhooks() -> None:
    provider = kannel("webhook_token=tok-9")
    body = data("kannel", "dlr_delivered.txt")
    url = f"{DLR}?civisms_token=tok-9&{body.decode()}"
    req = form_request(url, b"")
    assert provider.verify_webhook(req)
    assert not provider.verify_webhook(form_request(url.replace("tok-9", "tok-8"), b""))
    assert not provider.verify_webhook(form_request(f"{DLR}?{body.decode()}", b""))
    [dlr] = provider.parse_webhook(req)
    assert isinstance(dlr, DeliveryReceipt)
    assert dlr.message_id == "job7c42" and dlr.status is DeliveryStatus.DELIVERED
    [mo] = provider.parse_webhook(form_request(f"{DLR}?" + data(
        "kannel", "inbound_utf8.txt").decode(), b""))
    assert isinstance(mo, InboundMessage) and mo.text == "Café ok" and mo.sender == "+15558675310"
    [mo] = provider.parse_webhook(form_request(f"{DLR}?" + data(
        "kannel", "inbound_ucs2.txt").decode(), b""))
    assert mo.text == "Привет"


@pytest.mark.parametrize(("value", "expected"),
                         [*KANNEL_STATUSES.items(), ("32", DeliveryStatus.UNKNOWN)])
def test_each_kannel_status_mapping(value: str, expected: DeliveryStatus) -> None:
    url = f"{DLR}?" + urlencode({"civisms_id": "m1", "dlr": value})
    [dlr] = kannel().parse_webhook(form_request(url, b""))
    assert dlr.status is expected


@responses.activate
def test_jasmin_exact_request() -> None:
    responses.add(responses.POST, JASMIN, body=data("jasmin", "success.txt"))
    provider = jasmin(f"from=15550003000\ndlr-url={DLR}\nwebhook_token=tok-j\npriority=2")
    result = provider.send(OutboundMessage("+15558675310", "Hello"))
    assert parse_qs(responses.calls[0].request.body) == {
        "username": ["civisms"], "password": ["j4smin-pw"], "to": ["15558675310"],
        "from": ["15550003000"], "content": ["Hello"], "dlr": ["yes"],
        "dlr-url": [f"{DLR}?civisms_token=tok-j"], "dlr-method": ["POST"], "dlr-level": ["3"],
        "priority": ["2"],
    }
    assert result.message_id == "07033084-5cfd-4812-90a4-e4d24ffb6e3d"
    assert result.status is DeliveryStatus.ACCEPTED


@responses.activate
def test_jasmin_unicode_goes_as_hex() -> None:
    responses.add(responses.POST, JASMIN, body=data("jasmin", "success.txt"))
    jasmin().send(OutboundMessage("+15558675310", "Привет"))
    sent = parse_qs(responses.calls[0].request.body)
    assert sent["coding"] == ["8"] and "content" not in sent
    assert bytes.fromhex(sent["hex-content"][0]).decode("utf-16-be") == "Привет"


@responses.activate
@pytest.mark.parametrize(("name", "status", "cls"), [
    ("auth_failure.txt", 403, FatalProviderError),
    ("cannot_charge.txt", 403, FatalProviderError),
    ("mandatory.txt", 400, FatalProviderError),
    ("no_route.txt", 412, RecipientError),
    ("server_error.txt", 500, TransientError),
])
def test_jasmin_error_classes(name: str, status: int, cls: type) -> None:
    responses.add(responses.POST, JASMIN, body=data("jasmin", name), status=status)
    with pytest.raises(cls) as info:
        jasmin().send(OutboundMessage("+15558675310", "x"))
    assert type(info.value) is cls


@responses.activate
def test_jasmin_throughput_error_is_a_rate_limit() -> None:
    responses.add(responses.POST, JASMIN, body='Error "Throughput exceeded"', status=403)
    with pytest.raises(RateLimitedError):
        jasmin().send(OutboundMessage("+15558675310", "x"))


def test_jasmin_webhooks() -> None:
    provider = jasmin("webhook_token=tok-j")
    url = f"{DLR}?civisms_token=tok-j"
    body = data("jasmin", "dlr_level2_delivered.txt")
    req = form_request(url, body)
    assert provider.verify_webhook(req)
    assert not provider.verify_webhook(form_request(DLR, body))
    assert not provider.verify_webhook(form_request(f"{DLR}?civisms_token=x", b""))
    [dlr] = provider.parse_webhook(req)
    assert dlr.status is DeliveryStatus.DELIVERED and dlr.timestamp == "2308240502"
    [lvl1] = provider.parse_webhook(form_request(url, data("jasmin", "dlr_level1.txt")))
    assert lvl1.status is DeliveryStatus.SENT
    [mo] = provider.parse_webhook(form_request(url, data("jasmin", "mo.txt")))
    assert isinstance(mo, InboundMessage) and mo.text == "Yes please"
    [mo] = provider.parse_webhook(form_request(url, data("jasmin", "mo_ucs2.txt")))
    assert mo.text == "Привет"
    assert provider.webhook_reply([mo]) == (200, "ACK/Jasmin", "text/plain")


@pytest.mark.parametrize(("value", "expected"), [
    *((k.upper(), v) for k, v in JASMIN_STATUSES.items()),
    ("ESME_RINVDSTADR", DeliveryStatus.FAILED), ("WEIRD", DeliveryStatus.UNKNOWN)])
def test_each_jasmin_status_mapping(value: str, expected: DeliveryStatus) -> None:
    body = urlencode({"id": "m1", "message_status": value, "level": "2"}).encode()
    [dlr] = jasmin().parse_webhook(form_request(DLR, body))
    assert dlr.status is expected


def test_bad_rate_limit_in_row() -> None:
    with pytest.raises(ConfigError):
        jasmin("civisms_mps=-3")
