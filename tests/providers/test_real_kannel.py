"""The Kannel adapter against a real Kannel 1.4 (bearerbox + smsbox, a fake SMSC).

Skipped where ``bearerbox`` is not installed (setup.sh installs Debian's ``kannel``). One
Kannel serves the module; it starts in well under a second.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from click.testing import CliRunner, Result
from provider_helpers import FixedSite, make_row
from real_kannel import (
    BEARERBOX,
    BLACK_LISTED,
    DENIED,
    FAKESMSC,
    PASSWORD,
    TOKEN,
    USER,
    KannelRig,
    decode_mt,
)

from civisms.cli import main
from civisms.errors import RecipientError, TransientError
from civisms.providers.base import (
    DeliveryReceipt,
    DeliveryStatus,
    InboundMessage,
    OutboundMessage,
    WebhookRequest,
)
from civisms.providers.kannel import KannelProvider
from civisms.text.segments import is_gsm, segment

if TYPE_CHECKING:
    from conftest import SiteDb

pytestmark = pytest.mark.skipif(BEARERBOX is None, reason="Kannel (bearerbox) not installed: "
                                "setup.sh installs Debian's kannel package")
S = DeliveryStatus


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KannelRig]:
    kannel = KannelRig(tmp_path_factory.mktemp("kannel"))
    try:
        kannel.start()
        yield kannel
    finally:
        kannel.stop()


def provider(rig: KannelRig, token: str = TOKEN) -> KannelProvider:
    params = f"from=15550003000\ndlr-url={rig.callback_base}/dlr\nwebhook_token={token}"
    return KannelProvider.from_row(make_row("org.civisms.kannel", params, username=USER,
                                            password=PASSWORD, api_url=rig.sendsms_url))


def received(rig: KannelRig, to: str, parts: int, text: str) -> str:
    """What the SMSC got for ``to``, parts joined and decoded as the coding Kannel used."""
    assert rig.smsc is not None
    lines = rig.smsc.messages(parts)
    assert [decode_mt(line)[0] for line in lines] == [to] * parts
    payload = b"".join(decode_mt(line)[3] for line in lines)
    if len(lines) > 1:  # concatenated: each part carries the 8-bit reference UDH, n of N
        udhs = [decode_mt(line)[2] for line in lines]
        assert [u[-2:] for u in udhs] == [bytes([parts, i + 1]) for i in range(parts)]
    return payload.decode("utf-8" if is_gsm(text) else "utf-16-be")


LONG_GSM = "The spring drive starts Saturday at the hall. " * 5
EDGE_ESC = "a" * 152 + "€" + "b" * 10  # the € pair would straddle part 1's end
STRADDLE = "ç" + "a" * 65 + "🎉" + "b" * 66  # the emoji's pair on units 67 and 68


@pytest.mark.parametrize("text", [
    "Hello, see you Saturday!", "Braces {} [x] ~ ^ | \\ and €", "Café à ç 🎉 Привет",
    LONG_GSM, EDGE_ESC, "ç" * 150, STRADDLE, "🎉" * 40,
])
def test_kannel_sends_the_exact_text_in_the_parts_civisms_counts(rig: KannelRig,
                                                                 text: str) -> None:
    gateway = provider(rig)
    to = "+15551230001"
    predicted = segment(text, cut=gateway.segment_cut).segments
    result = gateway.send(OutboundMessage(to, text, client_ref=f"exact-{hash(text)}"))
    assert result.status is S.ACCEPTED and result.raw == "0: Accepted for delivery"
    assert received(rig, to, predicted, text) == text
    time.sleep(0.2)
    assert rig.smsc is not None and rig.smsc.lines.empty()  # no part beyond the prediction


def test_straddling_emoji_is_two_parts_through_kannel_three_by_twilio_rules(
        rig: KannelRig) -> None:
    assert (segment(STRADDLE).segments, segment(STRADDLE, cut="unit").segments) == (3, 2)
    provider(rig).send(OutboundMessage("+15551230002", STRADDLE))
    assert received(rig, "+15551230002", 2, STRADDLE) == STRADDLE


@pytest.mark.parametrize(("to", "reason"), [
    ("+33612345678", "Not routable. Do not try again."),  # outside allowed-prefix
    (DENIED, "Not routable. Do not try again."),  # the SMSC's denied-prefix
    (BLACK_LISTED + "123", "denied by white- and/or black-lists"),
])
def test_refused_numbers_fail_that_recipient_only(rig: KannelRig, to: str, reason: str) -> None:
    gateway = provider(rig)
    with pytest.raises(RecipientError) as info:
        gateway.send(OutboundMessage(to, "Hello"))
    assert reason in str(info.value) and "authentication" not in str(info.value)
    assert PASSWORD not in str(info.value)
    assert gateway.send(OutboundMessage("+15551230003", "next")).status is S.ACCEPTED
    assert received(rig, "+15551230003", 1, "next") == "next"


def test_smsc_down_queues_then_a_full_queue_is_transient(rig: KannelRig) -> None:
    assert rig.smsc is not None
    gateway = provider(rig)
    rig.smsc.disconnect()
    rig.wait_smsc_online(False)
    try:
        queued = [gateway.send(OutboundMessage("+15551230004", f"queued {i}")) for i in range(3)]
        assert [r.status for r in queued] == [S.QUEUED] * 3  # "3: Queued for later delivery"
        with pytest.raises(TransientError) as info:  # sms-outgoing-queue-limit = 3
            gateway.send(OutboundMessage("+15551230004", "one too many"))
        assert "Temporal failure" in str(info.value)
    finally:
        rig.smsc.connect()
        rig.wait_smsc_online()
    texts = sorted(decode_mt(line)[3].decode() for line in rig.smsc.messages(3))
    assert texts == ["queued 0", "queued 1", "queued 2"]


def test_delivery_reports_come_back_through_verify_and_parse(rig: KannelRig) -> None:
    gateway = provider(rig)
    gateway.send(OutboundMessage("+15551230005", "report me", client_ref="dlr-42"))
    assert rig.smsc is not None and rig.smsc.messages(1)
    receipts: list[DeliveryReceipt] = []
    for _ in range(2):  # 8: the SMSC took it, 1: delivered (the fake SMSC's report)
        query = rig.capture.next("/dlr", "civisms_id=dlr-42&")
        request = WebhookRequest("GET", f"{rig.callback_base}/dlr?{query}")
        assert gateway.verify_webhook(request)
        assert not provider(rig, token="another-token").verify_webhook(request)
        [event] = gateway.parse_webhook(request)
        assert isinstance(event, DeliveryReceipt)
        receipts.append(event)
    assert {r.message_id for r in receipts} == {"dlr-42"}
    assert sorted(r.status for r in receipts) == sorted([S.SENT, S.DELIVERED])
    assert all(r.error_code is None for r in receipts)  # "ACK/" is no error code


def test_a_refused_number_reports_kannels_nack(rig: KannelRig) -> None:
    gateway = provider(rig)
    with pytest.raises(RecipientError):
        gateway.send(OutboundMessage("+33612345678", "nowhere", client_ref="nack-1"))
    query = rig.capture.next("/dlr", "civisms_id=nack-1&")
    request = WebhookRequest("GET", f"{rig.callback_base}/dlr?{query}")
    assert gateway.verify_webhook(request)
    [event] = gateway.parse_webhook(request)
    assert isinstance(event, DeliveryReceipt) and event.message_id == "nack-1"
    assert (event.status, event.provider_status) == (S.FAILED, "NACK")


@pytest.mark.parametrize(("kind", "data", "text"), [
    ("text", "Bonjour+ok", "Bonjour ok"),
    ("ucs2", quote("Привет 🎉".encode("utf-16-be")), "Привет 🎉"),
])
def test_inbound_messages_reach_the_get_url(rig: KannelRig, kind: str, data: str,
                                            text: str) -> None:
    assert rig.smsc is not None
    rig.smsc.send_mo("+15558675310", "15550003000", kind, data.replace("+", " ")
                     if kind == "text" else data)
    request = WebhookRequest("GET", f"{rig.callback_base}/inbound?"
                             f"{rig.capture.next('/inbound')}")
    gateway = provider(rig)
    assert gateway.verify_webhook(request)
    [event] = gateway.parse_webhook(request)
    assert isinstance(event, InboundMessage)
    assert (event.sender, event.to, event.text) == ("+15558675310", "15550003000", text)


@pytest.mark.skipif(not Path(FAKESMSC).exists(), reason="fakesmsc (kannel-extras) missing")
def test_inbound_injected_by_kannels_fakesmsc(rig: KannelRig) -> None:
    assert rig.smsc is not None
    rig.smsc.disconnect()  # the fake SMSC takes one client at a time
    rig.wait_smsc_online(False)
    proc = subprocess.Popen([FAKESMSC, "-H", "127.0.0.1", "-r", str(rig.ports["smsc"]),
                             "-m", "1", "+15558675311 15550003000 text Yes please"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        query = rig.capture.next("/inbound")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        rig.wait_smsc_online(False)
        rig.smsc.connect()
        rig.wait_smsc_online()
    [event] = provider(rig).parse_webhook(WebhookRequest("GET", f"/inbound?{query}"))
    assert isinstance(event, InboundMessage) and event.text == "Yes please"


def test_civisms_send_through_kannel_fails_only_the_unroutable_contact(
        rig: KannelRig, site: SiteDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site.execute("UPDATE civicrm_sms_provider SET is_active = 1, name = 'org.civisms.kannel', "
                 "api_url = %s, username = %s, password = %s, api_params = %s WHERE id = 3",
                 [rig.sendsms_url, USER, PASSWORD, "from=15550003000"])
    monkeypatch.setenv("CIVISMS_BACKEND", "db")
    monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    monkeypatch.setenv("CIVISMS_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.setenv("CIVISMS_SOURCE_CONTACT_ID", "2")
    monkeypatch.delenv("CIVISMS_CONFIG", raising=False)
    run: Callable[..., Result] = lambda *a: CliRunner().invoke(  # noqa: E731
        main, list(a), catch_exceptions=False)
    result = run("send", "--group", "SMS Supporters", "--provider", "3", "--name", "Kannel",
                 "--text", "Hi {contact.first_name}", "--yes", "--json")
    assert result.exit_code == 1, result.output  # ran, one recipient failed
    report = json.loads(result.stdout)
    # Alice is on the SMSC's denied-prefix-regex, Marie's +33 number outside its prefixes.
    failed = {f["phone"]: f for f in report["failed"]}
    assert set(failed) == {DENIED, "+33612345678"}, report["failed"]
    assert all("Not routable" in f["error"] for f in failed.values())
    assert report["sent"] and not set(failed) & {s["phone"] for s in report["sent"]}
    assert rig.smsc is not None
    got = sorted(decode_mt(line)[0] for line in rig.smsc.messages(len(report["sent"])))
    assert got == sorted(s["phone"] for s in report["sent"])  # the rest went out, once each
    cancelled = site.query(
        "SELECT a.location FROM civicrm_activity a JOIN civicrm_option_value ov "
        "ON ov.value = a.activity_type_id JOIN civicrm_option_group og "
        "ON og.id = ov.option_group_id AND og.name = 'activity_type' "
        "JOIN civicrm_option_value st ON st.value = a.status_id JOIN civicrm_option_group sg "
        "ON sg.id = st.option_group_id AND sg.name = 'activity_status' "
        "WHERE ov.name = 'SMS delivery' AND st.name = 'Cancelled'")
    assert len(cancelled) == 2
    assert all("Not routable" in (c["location"] or "") for c in cancelled)
    assert PASSWORD not in result.output


def test_providers_test_names_the_recipient_not_the_credentials(
        rig: KannelRig, fixed_site: FixedSite, run_cli: Callable[..., Result]) -> None:
    fixed_site.rows = [make_row("org.civisms.kannel", "from=15550003000", id=9, title="Kannel",
                                username=USER, password=PASSWORD, api_url=rig.sendsms_url)]
    result = run_cli("providers", "test", "9", "--to", "+33612345678", "--json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["kind"] == "recipient" and "Not routable" in error["message"]
    wrong = [make_row("org.civisms.kannel", "", id=9, title="Kannel", username=USER,
                      password="not-the-password", api_url=rig.sendsms_url)]
    fixed_site.rows = wrong
    result = run_cli("providers", "test", "9", "--to", "+14155550199", "--json")
    error = json.loads(result.stdout)["error"]
    assert error["kind"] == "fatal" and "Authorization failed" in error["message"]


def test_a_mass_mailing_through_kannel_goes_on_past_unroutable_numbers(
        rig: KannelRig, site: SiteDb, monkeypatch: pytest.MonkeyPatch) -> None:
    from mailing_factory import schedule_mailing
    from test_jobs import make_jobs

    site.execute("UPDATE civicrm_sms_provider SET is_active = 1, name = 'org.civisms.kannel', "
                 "api_url = %s, username = %s, password = %s, api_params = %s WHERE id = 3",
                 [rig.sendsms_url, USER, PASSWORD, "from=15550003000\ncivisms_mps=1000"])
    mailing = schedule_mailing(site)
    result, data = make_jobs(site, monkeypatch)("--once")
    assert result.exit_code == 0, result.output  # never paused: nobody's credentials failed
    assert data["total"]["sent"] == 2 and data["total"]["failed"] == 2
    assert not data.get("paused")
    assert site.scalar("SELECT status FROM civicrm_mailing WHERE id = %s", [mailing]) == "Complete"
    reasons = [r["bounce_reason"] for r in site.query(
        "SELECT b.bounce_reason FROM civicrm_mailing_event_bounce b ORDER BY b.id")]
    assert len(reasons) == 2 and all("Not routable" in r for r in reasons)
    assert rig.smsc is not None
    assert sorted(decode_mt(line)[0] for line in rig.smsc.messages(2)) == [
        "+14155550103", "+14155550199"]
