"""With ``CIVISMS_PUBLIC_URL`` every message asks its gateway for receipts at civisms'
own route, ``/webhooks/<row id>/status``; a URL the row sets itself still wins."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import responses
from provider_helpers import TWILIO_SID, TWILIO_TOKEN, make_row

from civisms.providers.base import OutboundMessage
from civisms.providers.registry import provider_for

PUBLIC = "https://sms.example.org"


def sent_params(call: responses.Call) -> dict[str, list[str]]:
    body = call.request.body
    text = body.decode() if isinstance(body, bytes) else (body or "")
    return parse_qs(text or urlsplit(call.request.url).query)


@responses.activate
def test_twilio_asks_for_status_callbacks_at_the_public_url() -> None:
    responses.add(responses.POST, f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/"
                  "Messages.json", json={"sid": "SM1", "status": "queued"}, status=201)
    row = make_row("org.civicrm.sms.twilio", "From=+15550001111", username=TWILIO_SID,
                   password=TWILIO_TOKEN)
    provider_for(row, public_url=PUBLIC).send(OutboundMessage("+15558675310", "Hi"))
    assert sent_params(responses.calls[0])["StatusCallback"] == [f"{PUBLIC}/webhooks/7/status"]


@responses.activate
def test_a_rows_own_status_callback_wins() -> None:
    responses.add(responses.POST, f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/"
                  "Messages.json", json={"sid": "SM1", "status": "queued"}, status=201)
    row = make_row("org.civicrm.sms.twilio", "From=+15550001111\nStatusCallback=https://x.test/r",
                   username=TWILIO_SID, password=TWILIO_TOKEN)
    provider_for(row, public_url=PUBLIC).send(OutboundMessage("+15558675310", "Hi"))
    assert sent_params(responses.calls[0])["StatusCallback"] == ["https://x.test/r"]


@responses.activate
def test_no_public_url_no_callback() -> None:
    responses.add(responses.POST, f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/"
                  "Messages.json", json={"sid": "SM1", "status": "queued"}, status=201)
    row = make_row("org.civicrm.sms.twilio", "From=+15550001111", username=TWILIO_SID,
                   password=TWILIO_TOKEN)
    provider_for(row).send(OutboundMessage("+15558675310", "Hi"))
    assert "StatusCallback" not in sent_params(responses.calls[0])


@responses.activate
def test_vonage_asks_for_receipts_at_the_public_url() -> None:
    responses.add(responses.POST, "https://rest.nexmo.com/sms/json", json={
        "message-count": "1", "messages": [{"status": "0", "message-id": "0A1"}]})
    row = make_row("org.civisms.vonage", "from=+15550001111")
    provider_for(row, public_url=PUBLIC + "/").send(OutboundMessage("+15558675310", "Hi"))
    params = sent_params(responses.calls[0])
    assert params["callback"] == [f"{PUBLIC}/webhooks/7/status"]
    assert "status-report-req" in params


@responses.activate
def test_kannel_gets_a_dlr_url_with_the_token_and_a_mask() -> None:
    responses.add(responses.GET, "http://127.0.0.1:13013/cgi-bin/sendsms", body="0: Accepted",
                  status=202)
    row = make_row("org.civisms.kannel", "webhook_token=tok-123")
    provider_for(row, public_url=PUBLIC).send(
        OutboundMessage("+15558675310", "Hi", client_ref="m1"))
    params = sent_params(responses.calls[0])
    assert params["dlr-mask"] == ["31"]
    (dlr,) = params["dlr-url"]
    assert dlr.startswith(f"{PUBLIC}/webhooks/7/status?")
    query = parse_qs(urlsplit(dlr).query)
    assert query["civisms_id"] == ["m1"] and query["civisms_token"] == ["tok-123"]
