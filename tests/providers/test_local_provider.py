"""The local provider: a real outbox that plays the gateway's part back."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from provider_helpers import make_row

from civisms.errors import FatalProviderError, RecipientError
from civisms.providers.base import (
    DeliveryReceipt,
    DeliveryStatus,
    InboundMessage,
    OutboundMessage,
    WebhookRequest,
)
from civisms.providers.local import LocalProvider


def local(params: str = "from=+15550002000|+15550002001", **kw: object) -> LocalProvider:
    return LocalProvider.from_row(make_row("org.civisms.local", params), **kw)  # type: ignore[arg-type]


def test_outbox_file_records_every_message(tmp_path: Path) -> None:
    outbox = tmp_path / "var" / "outbox.jsonl"
    provider = local(outbox=outbox)
    result = provider.send(OutboundMessage("+15558675310", "Bonjour é", contact_id=42,
                                           client_ref="job-1", segments=1))
    assert result.status is DeliveryStatus.ACCEPTED and result.message_id.startswith("local-")
    assert result.sender in ("+15550002000", "+15550002001")
    provider.close()
    [line] = outbox.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["event"] == "sent" and record["id"] == result.message_id
    assert record["text"] == "Bonjour é" and record["contact_id"] == 42
    assert record["from"] == result.sender
    # A new provider on the same outbox appends and reads the history.
    again = local(outbox=outbox)
    again.send(OutboundMessage("+15558675311", "second"))
    assert [r["to"] for r in again.sent()] == ["+15558675310", "+15558675311"]
    again.close()


def test_row_may_name_its_outbox_or_memory(tmp_path: Path) -> None:
    target = tmp_path / "row-outbox.jsonl"
    provider = local(f"outbox={target}", outbox=tmp_path / "default.jsonl")
    provider.send(OutboundMessage("+15558675310", "x"))
    provider.close()
    assert target.exists() and not (tmp_path / "default.jsonl").exists()
    memory = local("outbox=:memory:", outbox=tmp_path / "default.jsonl")
    memory.send(OutboundMessage("+15558675310", "x"))
    assert len(memory.sent()) == 1 and not (tmp_path / "default.jsonl").exists()


def test_simulated_refusals() -> None:
    provider = local("invalid_numbers=+15550000000\nopted_out_numbers=+15550000001")
    with pytest.raises(RecipientError) as info:
        provider.send(OutboundMessage("+15550000001", "x"))
    assert info.value.opted_out
    with pytest.raises(RecipientError) as info:
        provider.send(OutboundMessage("+15550000000", "x"))
    assert not info.value.opted_out
    with pytest.raises(RecipientError):
        provider.send(OutboundMessage("0612345678", "not E.164"))
    assert provider.sent() == []


def test_simulated_receipts_and_replies_round_trip() -> None:
    provider = local("from=+15550002000\nauto_receipt=delivered")
    result = provider.send(OutboundMessage("+15558675310", "x"))
    assert [r["status"] for r in provider.records("receipt")] == ["delivered"]
    req = provider.simulate_receipt(result.message_id or "", DeliveryStatus.UNDELIVERED)
    assert provider.verify_webhook(req)
    [receipt] = provider.parse_webhook(req)
    assert isinstance(receipt, DeliveryReceipt)
    assert receipt.message_id == result.message_id
    assert receipt.status is DeliveryStatus.UNDELIVERED
    [reply] = provider.parse_webhook(provider.simulate_reply("+15558675310", "STOP"))
    assert isinstance(reply, InboundMessage)
    assert (reply.sender, reply.text, reply.to) == ("+15558675310", "STOP", "+15550002000")
    assert len(provider.records("inbound")) == 1


def test_webhook_token_good_bad_missing() -> None:
    provider = local("webhook_token=l0cal-tok")
    req = provider.simulate_receipt("local-1")
    assert "civisms_token=l0cal-tok" in req.url and provider.verify_webhook(req)
    bad = type(req)(req.method, req.url.replace("l0cal-tok", "other"), req.headers, req.body)
    assert not provider.verify_webhook(bad)
    missing = type(req)(req.method, req.url.split("?")[0], req.headers, req.body)
    assert not provider.verify_webhook(missing)


def test_unknown_webhook_status_is_unknown() -> None:
    provider = local()
    [receipt] = provider.parse_webhook(WebhookRequest(
        "POST", "http://h/", {"Content-Type": "application/json"},
        b'{"type": "receipt", "id": "x", "status": "teleported"}'))
    assert receipt.status is DeliveryStatus.UNKNOWN
    assert provider.parse_webhook(WebhookRequest("POST", "http://h/", {}, b"")) == []


def test_concurrent_sends_write_whole_lines(tmp_path: Path) -> None:
    provider = local(outbox=tmp_path / "o.jsonl")

    def worker(n: int) -> None:
        for i in range(50):
            provider.send(OutboundMessage(f"+1555{n:03d}{i:04d}", "x" * 200))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    provider.close()
    assert len(provider.sent()) == 400


def test_unwritable_outbox_stops_the_run(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    provider = local(outbox=blocker / "outbox.jsonl")
    with pytest.raises(FatalProviderError, match="cannot write the outbox"):
        provider.send(OutboundMessage("+15558675310", "x"))
