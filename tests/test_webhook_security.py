"""The shared security case, run against every gateway: only a request the gateway
provably sent moves anything; forged, unsigned, tampered and replayed requests change
nothing in the database (compared row by row), and a signed one moves the activity."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest
from service_helpers import Served, activity, add_provider, sent_message, serve, snapshot

from civisms.model import SmsProvider
from civisms.providers.twilio import twilio_signature
from civisms.providers.vonage import VonageProvider

if TYPE_CHECKING:
    from conftest import SiteDb

TOKEN = "s3cret-webhook-token"
BASE = "http://testserver"


@dataclass
class Req:
    """One HTTP request to the service."""

    method: str
    path: str  # with the query string
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Gateway:
    """How a gateway's row looks and how it signs a delivery receipt."""

    name: str
    row: dict[str, Any]
    receipt: Callable[[int, str, bool], Req]  # (provider id, message id, delivered?) → signed
    forgeries: Callable[[int, str], list[Req]]  # the same receipt, not provably the gateway's


def form(data: dict[str, str]) -> bytes:
    return urlencode(data).encode()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}

# -- Twilio: X-Twilio-Signature over the URL and the sorted form fields ----------------

TWILIO_TOKEN = "twilio-auth-token-123"


def twilio_receipt(pid: int, mid: str, delivered: bool = True, token: str = TWILIO_TOKEN,
                   tamper: bool = False) -> Req:
    path = f"/webhooks/{pid}/status"
    fields = {"MessageSid": mid, "MessageStatus": "delivered" if delivered else "undelivered",
              "AccountSid": "AC" + "1" * 32, "From": "+15550009000", "To": "+14155550101"}
    if not delivered:
        fields["ErrorCode"] = "30003"
    signature = twilio_signature(token, BASE + path, {k: [v] for k, v in fields.items()})
    if tamper:
        fields["MessageStatus"] = "undelivered"
    return Req("POST", path, form(fields), {**FORM, "X-Twilio-Signature": signature})


def twilio_forgeries(pid: int, mid: str) -> list[Req]:
    unsigned = twilio_receipt(pid, mid)
    del unsigned.headers["X-Twilio-Signature"]
    return [twilio_receipt(pid, mid, token="not-the-token"), unsigned,
            twilio_receipt(pid, mid, tamper=True)]


# -- Vonage: signed webhooks (sig over the sorted parameters, HMAC-SHA256 here) --------

VONAGE_SECRET = "vonage-signature-secret"
VONAGE_ROW = {"name": "org.civisms.vonage", "username": "key123", "password": "secret123",
              "api_params": f"from=+15550008000\nsignature_secret={VONAGE_SECRET}\n"
                            "signature_method=sha256"}


def vonage_receipt(pid: int, mid: str, delivered: bool = True, secret: str = VONAGE_SECRET,
                   tamper: bool = False) -> Req:
    params = {"msisdn": "14155550101", "to": "15550008000", "messageId": mid,
              "status": "delivered" if delivered else "failed",
              "err-code": "0" if delivered else "5", "message-timestamp": "2026-12-04 10:00:00",
              "timestamp": "1796400000", "nonce": "a1b2c3"}
    row = SmsProvider(id=pid, name=VONAGE_ROW["name"], title="v", username="key123",
                      password="secret123", api_type=None, api_url=None,
                      api_params={"from": "+15550008000", "signature_secret": secret,
                                  "signature_method": "sha256"},
                      api_params_raw=None, is_active=True, is_default=False, domain_id=1)
    provider = VonageProvider.from_row(row)
    assert isinstance(provider, VonageProvider)
    params["sig"] = provider.signature(params)
    if tamper:
        params["status"] = "failed"
    return Req("GET", f"/webhooks/{pid}/status?{urlencode(params)}")


def vonage_forgeries(pid: int, mid: str) -> list[Req]:
    unsigned = vonage_receipt(pid, mid)
    unsigned.path = unsigned.path.split("&sig=")[0]
    return [vonage_receipt(pid, mid, secret="wrong-secret"), unsigned,
            vonage_receipt(pid, mid, tamper=True)]


# -- Gateways without signatures: the row's webhook_token, compared in constant time ---


def token_forgeries(make: Callable[..., Req]) -> Callable[[int, str], list[Req]]:
    def forgeries(pid: int, mid: str) -> list[Req]:
        return [make(pid, mid, token="wrong-token"), make(pid, mid, token=None),
                make(pid, mid, token=TOKEN[:-1]), make(pid, mid, token=TOKEN + "x")]
    return forgeries


def with_token(path: str, token: str | None) -> str:
    if token is None:
        return path
    return path + ("&" if "?" in path else "?") + urlencode({"civisms_token": token})


def clickatell_receipt(pid: int, mid: str, delivered: bool = True,
                       token: str | None = TOKEN) -> Req:
    body = {"messageId": mid, "status": "RECEIVED_BY_RECIPIENT" if delivered
            else "DELIVERY_FAILURE", "statusCode": "5" if delivered else "23",
            "to": "14155550101", "timestamp": "1796400000"}
    return Req("POST", with_token(f"/webhooks/{pid}/status", token),
               json.dumps(body).encode(), JSON)


def kannel_receipt(pid: int, mid: str, delivered: bool = True,
                   token: str | None = TOKEN) -> Req:
    stat = "stat:DELIVRD err:000" if delivered else "stat:UNDELIV err:001"
    query = urlencode({"civisms_id": mid, "dlr": "1" if delivered else "2",
                       "answer": f"id:1 sub:001 dlvrd:001 {stat}", "ts": "1796400000"})
    return Req("GET", with_token(f"/webhooks/{pid}/status?{query}", token))


def jasmin_receipt(pid: int, mid: str, delivered: bool = True,
                   token: str | None = TOKEN) -> Req:
    fields = {"id": mid, "message_status": "DELIVRD" if delivered else "UNDELIV",
              "level": "2", "connector": "smsc1"}
    return Req("POST", with_token(f"/webhooks/{pid}/status", token), form(fields), FORM)


def local_receipt(pid: int, mid: str, delivered: bool = True,
                  token: str | None = TOKEN) -> Req:
    body = {"type": "receipt", "id": mid, "status": "delivered" if delivered else "failed"}
    return Req("POST", with_token(f"/webhooks/{pid}/status", token),
               json.dumps(body).encode(), JSON)


GATEWAYS = [
    Gateway("twilio", {"name": "org.civicrm.sms.twilio", "username": "AC" + "1" * 32,
                       "password": TWILIO_TOKEN, "api_params": "From=+15550009000"},
            twilio_receipt, twilio_forgeries),
    Gateway("vonage", VONAGE_ROW, vonage_receipt, vonage_forgeries),
    Gateway("clickatell", {"name": "org.civisms.clickatell",
                           "api_params": f"api_key=ck-key\nwebhook_token={TOKEN}"},
            clickatell_receipt, token_forgeries(clickatell_receipt)),
    Gateway("kannel", {"name": "org.civisms.kannel", "username": "u", "password": "p",
                       "api_params": f"webhook_token={TOKEN}"},
            kannel_receipt, token_forgeries(kannel_receipt)),
    Gateway("jasmin", {"name": "org.civisms.jasmin", "username": "u", "password": "p",
                       "api_params": f"webhook_token={TOKEN}"},
            jasmin_receipt, token_forgeries(jasmin_receipt)),
    Gateway("local", {"name": "org.civisms.local",
                      "api_params": f"outbox=:memory:\nwebhook_token={TOKEN}"},
            local_receipt, token_forgeries(local_receipt)),
]


@pytest.fixture
def served(site: SiteDb, tmp_path: Path) -> Iterator[Served]:
    with serve(site, "db", tmp_path) as running:
        yield running


def call(served: Served, req: Req) -> int:
    answer = served.client.request(req.method, req.path, content=req.body,
                                   headers=req.headers)
    assert "Traceback" not in answer.text
    return answer.status_code


@pytest.mark.parametrize("gateway", GATEWAYS, ids=lambda g: g.name)
def test_only_the_gateways_own_requests_change_anything(served: Served,
                                                        gateway: Gateway) -> None:
    site = served.site
    pid = add_provider(site, **gateway.row)
    activity_id = sent_message(site, f"{gateway.name}-msg-1")
    call(served, gateway.receipt(pid, "warm-up", True))  # tables and rows loaded
    before = snapshot(site)
    for forged in gateway.forgeries(pid, f"{gateway.name}-msg-1"):
        assert call(served, forged) == 403, forged
    assert snapshot(site) == before
    assert call(served, gateway.receipt(pid, f"{gateway.name}-msg-1", True)) == 200
    assert activity(site, activity_id)["status"] == "Completed"
    after = snapshot(site)
    assert after != before
    assert call(served, gateway.receipt(pid, f"{gateway.name}-msg-1", True)) == 200  # replay
    assert snapshot(site) == after
    # A signed failure after the delivery is a second final word: nothing moves.
    assert call(served, gateway.receipt(pid, f"{gateway.name}-msg-1", False)) == 200
    assert snapshot(site) == after


@pytest.mark.parametrize("gateway", GATEWAYS, ids=lambda g: g.name)
def test_a_signed_failure_cancels_with_the_gateways_words(served: Served,
                                                          gateway: Gateway) -> None:
    pid = add_provider(served.site, **gateway.row)
    activity_id = sent_message(served.site, f"{gateway.name}-msg-2")
    assert call(served, gateway.receipt(pid, f"{gateway.name}-msg-2", False)) == 200
    row = activity(served.site, activity_id)
    assert row["status"] == "Cancelled"
    assert row["location"].split(" ")[0] in ("undelivered", "failed")


def test_a_twilio_failure_keeps_its_error_code(served: Served) -> None:
    pid = add_provider(served.site, **GATEWAYS[0].row)
    activity_id = sent_message(served.site, "SM-err")
    assert call(served, twilio_receipt(pid, "SM-err", delivered=False)) == 200
    assert activity(served.site, activity_id)["location"] == \
        "undelivered (undelivered, error 30003)"


def test_a_row_without_a_token_accepts_no_unsigned_webhook(served: Served) -> None:
    pid = add_provider(served.site, name="org.civisms.kannel", username="u", password="p")
    sent_message(served.site, "k-1")
    before = snapshot(served.site)
    assert call(served, kannel_receipt(pid, "k-1", token=None)) == 403
    assert call(served, kannel_receipt(pid, "k-1", token="anything")) == 403
    assert snapshot(served.site) == before


def test_a_receipt_saying_the_person_opted_out_sets_do_not_sms(served: Served) -> None:
    pid = add_provider(served.site, **GATEWAYS[0].row)
    sent_message(served.site, "SM-optout", contact_id=3)
    path = f"/webhooks/{pid}/status"
    fields = {"MessageSid": "SM-optout", "MessageStatus": "failed", "ErrorCode": "21610",
              "AccountSid": "AC" + "1" * 32}
    signature = twilio_signature(TWILIO_TOKEN, BASE + path, {k: [v] for k, v in fields.items()})
    assert call(served, Req("POST", path, form(fields),
                            {**FORM, "X-Twilio-Signature": signature})) == 200
    assert served.site.scalar("SELECT do_not_sms FROM civicrm_contact WHERE id = 3") == 1
