"""Hypothesis fuzz of every gateway's webhook parser and of the service's endpoints: no
exception escapes a parser, no request gets a 5xx (the database is healthy here: only an
injected database failure may, see test_service.py), no answer carries a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_helpers import Served, add_provider, serve

from civisms.civicrm.params import parse_api_params
from civisms.model import SmsProvider
from civisms.providers.base import DeliveryReceipt, InboundMessage, WebhookRequest
from civisms.providers.registry import provider_for


def make_row(name: str, api_params: str) -> SmsProvider:
    return SmsProvider(id=7, name=name, title=name, username="u", password="pass-secret",
                       api_type="http", api_url=None, api_params=parse_api_params(api_params),
                       api_params_raw=api_params)

ROWS = {
    "twilio": make_row("org.civicrm.sms.twilio", "From=+15550001111"),
    "vonage": make_row("org.civisms.vonage", "from=+15550001111\nsignature_secret=s3cret"),
    "vonage-token": make_row("org.civisms.vonage", "from=+15550001111\nwebhook_token=tok"),
    "clickatell": make_row("org.civisms.clickatell", "api_key=k\nwebhook_token=tok"),
    "kannel": make_row("org.civisms.kannel", "webhook_token=tok"),
    "jasmin": make_row("org.civisms.jasmin", "webhook_token=tok"),
    "local": make_row("org.civisms.local", "outbox=:memory:"),
}
#: Names gateways use, so the fuzz reaches the parsers' branches.
NAMES = ["MessageSid", "SmsSid", "MessageStatus", "SmsStatus", "ErrorCode", "From", "To",
         "Body", "NumMedia", "NumSegments", "MediaUrl0", "messageId", "message-id", "status",
         "err-code", "msisdn", "to", "text", "concat-total", "concat-part", "concat-ref",
         "price", "apiMsgId", "statusCode", "fromNumber", "toNumber", "charset", "content",
         "civisms_id", "dlr", "answer", "ts", "id", "message_status", "err", "coding",
         "binary", "from", "type", "sig", "timestamp", "civisms_token", "moMsgId"]
VALUES = st.one_of(st.text(max_size=40), st.sampled_from(
    ["delivered", "undelivered", "failed", "sent", "0", "1", "2", "8", "21610", "abc", "-1",
     "DELIVRD", "UTF-16BE", "utf-8", "deadbeef", "+33612345678", "true", "STOP", ""]))
PARAMS = st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=10), VALUES, max_size=8)
CONTENT_TYPES = st.sampled_from(["application/x-www-form-urlencoded", "application/json",
                                 "text/plain", "", "application/x-www-form-urlencoded; "
                                 "charset=latin-1"])


@st.composite
def requests(draw: Any) -> WebhookRequest:
    method = draw(st.sampled_from(["GET", "POST"]))
    query = draw(PARAMS)
    ctype = draw(CONTENT_TYPES)
    kind = draw(st.sampled_from(["form", "json", "bytes", "none"]))
    body_params = draw(PARAMS)
    if kind == "form":
        body = urlencode(body_params).encode()
    elif kind == "json":
        body = json.dumps(draw(st.one_of(st.just(body_params), st.lists(VALUES, max_size=3),
                                         VALUES))).encode()
    elif kind == "bytes":
        body = draw(st.binary(max_size=200))
    else:
        body = b""
    headers = {"Content-Type": ctype}
    if draw(st.booleans()):
        headers["X-Twilio-Signature"] = draw(st.text(max_size=30))
    if draw(st.booleans()):
        headers["Authorization"] = draw(st.sampled_from(["Basic !!", "Basic dTp0b2s=", "x"]))
    url = "https://sms.example.org/webhooks/7/status"
    if query:
        url += "?" + urlencode(query)
    return WebhookRequest(method, url, headers, body)


@pytest.mark.parametrize("name", sorted(ROWS))
@settings(max_examples=150, deadline=None)
@given(request=requests())
def test_parsers_and_verifiers_never_raise(name: str, request: WebhookRequest) -> None:
    provider = provider_for(ROWS[name])
    try:
        assert provider.verify_webhook(request) in (True, False)
        events = provider.parse_webhook(request)
    finally:
        provider.close()
    assert isinstance(events, list)
    for event in events:
        assert isinstance(event, DeliveryReceipt | InboundMessage)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, _site_registry: Any) -> Iterator[Served]:
    """One site for the module (a database per example would take minutes)."""
    site = _site_registry.clone("subset", True)
    try:
        for row in ROWS.values():
            add_provider(site, row.name, username="u", password="p",
                         api_params=row.api_params_raw or "")
        with serve(site, "db", tmp_path_factory.mktemp("fuzz")) as running:
            yield running
    finally:
        _site_registry.drop(site.name)


FUZZ_SETTINGS = settings(max_examples=120, deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                HealthCheck.too_slow])


@FUZZ_SETTINGS
@given(request=requests(), provider=st.sampled_from([2, 4, 5, 6, 7, 8, 9, 10, 0, 999]),
       kind=st.sampled_from(["status", "inbound"]))
def test_endpoints_answer_without_5xx_or_traceback(served: Served, request: WebhookRequest,
                                                   provider: int, kind: str) -> None:
    query = request.url.partition("?")[2]
    path = f"/webhooks/{provider}/{kind}" + (f"?{query}" if query else "")
    # Header values go as UTF-8 bytes, as a client on the wire may send them.
    headers = {k: v.encode() for k, v in request.headers.items()}
    answer = served.client.request(request.method, path, content=request.body,
                                   headers=headers)
    assert answer.status_code < 500, answer.text
    assert "Traceback" not in answer.text


# Row 2 (the sample's local outbox, no token) lets everything through to the recorders.
RECORDABLE = st.fixed_dictionaries({
    "type": st.sampled_from(["receipt", "inbound", "other"]),
    "id": st.text(max_size=300), "status": VALUES,
    "from": st.one_of(VALUES, st.text(alphabet="+0123456789 ()-.", max_size=20)),
    "to": VALUES, "text": st.text(max_size=300)})


@FUZZ_SETTINGS
@given(payload=RECORDABLE, kind=st.sampled_from(["status", "inbound"]))
def test_recorders_take_any_receipt_or_reply(served: Served, payload: dict[str, str],
                                             kind: str) -> None:
    answer = served.client.post(f"/webhooks/2/{kind}", json=payload)
    assert answer.status_code == 200, answer.text
    assert "Traceback" not in answer.text


def test_a_path_that_is_not_a_row_id_is_404(served: Served) -> None:
    for path in ("/webhooks/-1/status", "/webhooks/1e3/status", f"/webhooks/{quote('٣')}/status",
                 "/webhooks/99999999999999999999999/status"):
        assert served.client.post(path).status_code == 404
