"""Kannel and Jasmin answers as the real gateways word them (gw/smsbox.c, Jasmin's HTTP
API): who is at fault, and what a Kannel delivery report says."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
import responses
from click.testing import Result
from provider_helpers import FixedSite, data, form_request, make_row

from civisms.errors import (
    ConfigError,
    FatalProviderError,
    RateLimitedError,
    RecipientError,
    TransientError,
)
from civisms.providers.base import DeliveryStatus, OutboundMessage
from civisms.providers.kannel import JasminProvider, KannelProvider, kannel_receipt

KANNEL = "http://127.0.0.1:13013/cgi-bin/sendsms"
JASMIN = "http://127.0.0.1:1401/send"
DLR = "https://civisms.example/webhooks/9"
S = DeliveryStatus


def kannel(params: str = "from=15550003000") -> KannelProvider:
    return KannelProvider.from_row(make_row("org.civisms.kannel", params, username="tester",
                                            password="k4nnel-pw"))


@responses.activate
@pytest.mark.parametrize(("body", "status", "cls"), [
    ("Not routable. Do not try again.", 403, RecipientError),
    ("Authorization failed for sendsms", 403, FatalProviderError),
    ("Number(s) has/have been denied by white- and/or black-lists.", 400, RecipientError),
    ("Empty receiver number not allowed, rejected", 400, RecipientError),
    ("Charset or body misformed, rejected", 400, RecipientError),
    ("DLR-URL field misformed, rejected", 400, FatalProviderError),
    ("Validity field misformed, rejected", 400, FatalProviderError),
    ("Temporal failure, try again later.", 503, TransientError),
])
def test_kannel_answers_by_their_text(body: str, status: int, cls: type) -> None:
    responses.add(responses.GET, KANNEL, body=body, status=status)
    with pytest.raises(cls) as info:
        kannel().send(OutboundMessage("+15558675310", "x"))
    assert type(info.value) is cls
    assert body in str(info.value)  # Kannel's own reason reaches the journal and the user
    assert "authentication" not in str(info.value)


@responses.activate
def test_not_routable_is_never_called_an_authentication_problem() -> None:
    responses.add(responses.GET, KANNEL, body=data("kannel", "not_routable.txt"), status=403)
    with pytest.raises(RecipientError) as info:
        kannel().send(OutboundMessage("+15558675310", "x"))
    assert not info.value.opted_out and info.value.code == "403"


@responses.activate
@pytest.mark.parametrize(("body", "status", "cls"), [
    ('Error "Authentication failure for username:civisms"', 403, FatalProviderError),
    ('Error "User throughput exceeded"', 403, RateLimitedError),
    ('Error "No route found"', 412, RecipientError),
    ('Error "Failover route has no bound connectors"', 412, TransientError),
    ('Error "Value filter failed for user [civisms] (destination_address filter mismatch)."',
     400, RecipientError),
    ('Error "Argument [to] has an invalid value: [abc]."', 400, RecipientError),
    ('Error "Argument [priority] has an invalid value: [9]."', 400, FatalProviderError),
    ('Error "Authorization failed for user [civisms] (Long content not authorized)."', 400,
     FatalProviderError),
])
def test_jasmin_answers_by_their_text(body: str, status: int, cls: type) -> None:
    responses.add(responses.POST, JASMIN, body=body, status=status)
    provider = JasminProvider.from_row(make_row("org.civisms.jasmin", "", username="civisms",
                                                password="j4smin-pw"))
    with pytest.raises(cls) as info:
        provider.send(OutboundMessage("+15558675310", "x"))
    assert type(info.value) is cls


@pytest.mark.parametrize(("dlr", "answer", "expected"), [
    ("1", "id:0123456789 sub:001 dlvrd:001 submit date:2612041700 done date:2612041701 "
          "stat:DELIVRD err:000 text:Hello", (S.DELIVERED, "DELIVRD", None)),
    ("2", "id:0123456789 sub:001 dlvrd:000 submit date:2612041700 done date:2612041701 "
          "stat:UNDELIV err:034 text:Hello", (S.UNDELIVERED, "UNDELIV", "034")),
    ("2", "id:42 sub:001 dlvrd:000 submit date:2612041700 done date:2612041701 "
          "stat:REJECTD err:00B text:", (S.FAILED, "REJECTD", "00B")),
    ("2", "id:42 stat:EXPIRED err:000", (S.UNDELIVERED, "EXPIRED", None)),
    ("8", "ACK/", (S.SENT, "8", None)),
    ("8", "ACK/0A1B2C", (S.SENT, "8", None)),
    ("16", "NACK/0x0000000b/Invalid destination address",
     (S.FAILED, "NACK", "0x0000000b")),
    ("16", "NACK/", (S.FAILED, "NACK", None)),
    ("16", "NACK/no SMSC", (S.FAILED, "NACK", None)),
    ("1", "", (S.DELIVERED, "1", None)),
    ("32", "id:42 stat:DELIVRD err:000", (S.DELIVERED, "DELIVRD", None)),  # unknown %d
    ("2", "id:42 stat:DELIVRD err:000", (S.UNDELIVERED, "DELIVRD", None)),  # %d decides
])
def test_kannel_receipt_fields(dlr: str, answer: str,
                               expected: tuple[DeliveryStatus, str, str | None]) -> None:
    assert kannel_receipt(dlr, answer) == expected
    url = f"{DLR}?" + urlencode({"civisms_id": "job7", "dlr": dlr, "answer": answer})
    [receipt] = kannel().parse_webhook(form_request(url, b""))
    assert (receipt.status, receipt.provider_status, receipt.error_code) == expected


@pytest.mark.parametrize("token", ["&f é", "a%41b", "tok+en", "naïve", "a/b", "x y"])
def test_a_token_kannel_would_rewrite_is_refused(token: str) -> None:
    with pytest.raises(ConfigError) as info:
        kannel(f"dlr-url={DLR}\nwebhook_token={token}")
    assert "webhook_token" in str(info.value) and token not in str(info.value)


@pytest.mark.parametrize("token", ["Zm9vYmFy-_9", "0123abcdef", "a.b~c"])
def test_url_safe_tokens_pass_through_the_dlr_url_unencoded(token: str) -> None:
    url = kannel(f"dlr-url={DLR}\nwebhook_token={token}").callback_url({"civisms_id": "m1"})
    assert url is not None and f"civisms_token={token}&" in url + "&"
    assert "%" not in url


@responses.activate
@pytest.mark.parametrize(("answer", "warned"), [
    ("Sent.", True),  # immediate-sendsms-reply, one part: max-messages cut the text
    ("Sent. Message splits: 2", False),
    ("0: Accepted for delivery", False),  # Kannel's default answer names no count
])
def test_providers_test_warns_when_kannel_sent_fewer_parts(
        fixed_site: FixedSite, run_cli: Callable[..., Result], answer: str,
        warned: bool) -> None:
    responses.add(responses.GET, KANNEL, body=answer, status=202)
    fixed_site.rows = [make_row("org.civisms.kannel", "", id=9, title="Kannel",
                                username="tester", password="k4nnel-pw")]
    result = run_cli("providers", "test", "9", "--to", "+14155550199", "--text", "x" * 200)
    assert result.exit_code == 0, result.stderr
    assert ("sent 1 part of a 2-part message" in result.stderr) is warned
    shown = run_cli("providers", "test", "9", "--to", "+14155550199", "--text", "x" * 200,
                    "--json")
    assert (json.loads(shown.stdout)["warning"] is not None) is warned
