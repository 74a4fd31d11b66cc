"""Clickatell adapter: One API, Platform REST and HTTP; error codes; callbacks."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import responses
from provider_helpers import data, form_request, json_request, make_row

from civisms.errors import (
    ConfigError,
    FatalProviderError,
    RateLimitedError,
    RecipientError,
    TransientError,
)
from civisms.providers.base import DeliveryReceipt, DeliveryStatus, InboundMessage, OutboundMessage
from civisms.providers.clickatell import LEGACY_STATUSES, STATUSES, ClickatellProvider

KEY = "Xy7bQ2cS9pLmN0vW3tR5uA=="
BASE = "https://platform.clickatell.com"


def clickatell(params: str = f"api_id={KEY}\nfrom=+15550003000", *,
               name: str = "org.civisms.clickatell", raw: bool = True,
               **fields: object) -> ClickatellProvider:
    row = make_row(name, params, username="", password="", **fields)
    if not raw:
        from dataclasses import replace

        row = replace(row, api_params_raw=None)
    return ClickatellProvider.from_row(row)


@responses.activate
def test_one_api_exact_request() -> None:
    responses.add(responses.POST, f"{BASE}/v1/message", body=data("clickatell", "one_send_ok.json"),
                  status=202)
    result = clickatell().send(OutboundMessage("+15558675310", "Hello", client_ref="c-42"))
    req = responses.calls[0].request
    assert req.headers["Authorization"] == KEY  # the raw key, no scheme
    assert req.headers["Content-Type"] == "application/json"
    assert json.loads(req.body) == {"messages": [{
        "channel": "sms", "to": "15558675310", "content": "Hello", "from": "15550003000",
        "clientMessageId": "c-42"}]}
    assert result.message_id == "b6b49bc5-7e9d-4ed5-83c0-1e5b3b3c5a11"
    assert result.status is DeliveryStatus.ACCEPTED


@responses.activate
def test_platform_rest_request() -> None:
    responses.add(responses.POST, f"{BASE}/messages", body=data("clickatell", "rest_send_ok.json"),
                  status=202)
    result = clickatell(f"api_key={KEY}\napi=rest").send(OutboundMessage("+15558675310", "Hi"))
    req = responses.calls[0].request
    assert req.headers["Authorization"] == KEY
    assert json.loads(req.body) == {"to": ["15558675310"], "content": "Hi"}
    assert result.message_id == "1d1b0c2d3a5e4bbbb7e9f6a2c4d5e6f7"


@responses.activate
def test_extension_row_uses_platform_http_and_rebuilds_the_cut_key() -> None:
    responses.add(responses.GET, f"{BASE}/messages/http/send",
                  body=data("clickatell", "rest_send_ok.json"), status=202)
    # Only the parsed params (CiviCRM cut "==" off): do as the extension does.
    provider = clickatell(f"api_id={KEY}\nfrom=MyOrg\nmo=1\nconcat=3",
                          name="org.civicrm.sms.clickatell", raw=False, api_url=BASE)
    provider.send(OutboundMessage("+15558675310", "Hi there"))
    query = parse_qs(urlsplit(responses.calls[0].request.url).query)
    assert query == {"apiKey": [KEY], "to": ["15558675310"], "content": ["Hi there"],
                     "from": ["MyOrg"]}


@responses.activate
@pytest.mark.parametrize(("name", "status", "cls", "opted_out"), [
    ("error_1_invalid_key.json", 401, FatalProviderError, None),
    ("error_20_balance.json", 400, FatalProviderError, None),
    ("error_25_invalid_recipient.json", 202, RecipientError, False),
    ("error_26_opted_out.json", 400, RecipientError, True),
    ("error_43_rate_limit.json", 429, RateLimitedError, None),
    ("error_19_retry.json", 400, TransientError, None),
])
def test_error_classes(name: str, status: int, cls: type, opted_out: bool | None) -> None:
    responses.add(responses.POST, f"{BASE}/v1/message", body=data("clickatell", name),
                  status=status)
    with pytest.raises(cls) as info:
        clickatell().send(OutboundMessage("+15558675310", "x"))
    assert type(info.value) is cls
    if opted_out is not None:
        assert info.value.opted_out is opted_out
    assert KEY not in str(info.value) and KEY[:-2] not in str(info.value)


@responses.activate
def test_server_errors_and_garbage() -> None:
    responses.add(responses.POST, f"{BASE}/v1/message", body="busy", status=503)
    with pytest.raises(TransientError):
        clickatell().send(OutboundMessage("+15558675310", "x"))
    responses.replace(responses.POST, f"{BASE}/v1/message", body="<html/>", status=200)
    with pytest.raises(FatalProviderError, match="api_url"):
        clickatell().send(OutboundMessage("+15558675310", "x"))


def test_configuration_errors() -> None:
    with pytest.raises(ConfigError, match="api_id"):
        clickatell("from=X")
    with pytest.raises(ConfigError, match="Central"):
        clickatell(f"api_id={KEY}", api_url="https://api.clickatell.com")
    with pytest.raises(ConfigError, match="is_test"):
        clickatell(f"api_id={KEY}\nis_test=1")
    with pytest.raises(ConfigError, match="one, rest or http"):
        clickatell(f"api_id={KEY}\napi=soap")


# -- callbacks ------------------------------------------------------------------------------

CB = "https://civisms.example/webhooks/clickatell"


def test_callbacks_need_the_token() -> None:
    provider = clickatell(f"api_id={KEY}\nwebhook_token=cb-t0ken")
    body = data("clickatell", "callback_status_delivered.json")
    assert provider.verify_webhook(json_request(f"{CB}?civisms_token=cb-t0ken", body))
    assert not provider.verify_webhook(json_request(f"{CB}?civisms_token=wrong", body))
    assert not provider.verify_webhook(json_request(CB, body))
    assert not clickatell().verify_webhook(json_request(f"{CB}?civisms_token=cb-t0ken", body))


def test_status_callbacks() -> None:
    [dlr] = clickatell().parse_webhook(json_request(CB, data(
        "clickatell", "callback_status_delivered.json")))
    assert isinstance(dlr, DeliveryReceipt)
    assert dlr.status is DeliveryStatus.DELIVERED and dlr.client_ref == "job-7-contact-42"
    assert not dlr.opted_out
    [stop] = clickatell().parse_webhook(json_request(CB, data(
        "clickatell", "callback_status_stopped.json")))
    assert stop.status is DeliveryStatus.FAILED and stop.opted_out  # STOPPED_BY_USER
    [legacy] = clickatell().parse_webhook(form_request(CB, data(
        "clickatell", "legacy_callback.txt")))
    assert legacy.message_id == "996411ad91fa211e7d17bc873aa4a41d"
    assert legacy.status is DeliveryStatus.DELIVERED and legacy.provider_status == "004"


def test_replies_including_utf16() -> None:
    [reply] = clickatell().parse_webhook(json_request(CB, data("clickatell",
                                                               "callback_reply.json")))
    assert isinstance(reply, InboundMessage)
    assert reply.sender == "15558675310" and reply.text == "Oui, merci !"
    [utf16] = clickatell().parse_webhook(form_request(CB, data(
        "clickatell", "legacy_reply_utf16.txt")))
    assert utf16.text == "Été" and utf16.message_id == "b2aee337abd962489b123fda9c3480fa"


@pytest.mark.parametrize(("status", "expected"),
                         [*STATUSES.items(), ("TELEPORTED", DeliveryStatus.UNKNOWN)])
def test_each_platform_status_mapping(status: str, expected: DeliveryStatus) -> None:
    key = "statusCode" if status.isdigit() else "status"
    body = json.dumps({"messageId": "m1", key: int(status) if status.isdigit() else
                       status.upper()}).encode()
    [dlr] = clickatell().parse_webhook(json_request(CB, body))
    assert dlr.status is expected


@pytest.mark.parametrize(("code", "expected"), [*LEGACY_STATUSES.items(),
                                                ("099", DeliveryStatus.UNKNOWN)])
def test_each_legacy_status_mapping(code: str, expected: DeliveryStatus) -> None:
    body = urlencode({"apiMsgId": "m1", "status": code}).encode()
    [dlr] = clickatell().parse_webhook(form_request(CB, body))
    assert dlr.status is expected
