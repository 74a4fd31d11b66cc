"""``civisms providers list`` and ``providers test`` (fixed rows, and the sample site)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from provider_helpers import TWILIO_SID, TWILIO_TOKEN, FixedSite, make_row

SECRETS = (TWILIO_TOKEN, "Xy7bQ2cS9pLmN0vW3tR5uA", "t0k3n-for-webhooks", "sig-s3cret-123",
           "v0nage-api-s3cret")


def rows() -> list:
    return [
        make_row("org.civisms.local", "From=+15550002000\nwebhook_token=t0k3n-for-webhooks",
                 id=2, title="Local outbox", is_default=True, password=None, username=None),
        make_row("org.civicrm.sms.twilio", "From=+15550003000|+15550003001\ncivisms_mps=25",
                 id=3, title="Twilio", username=TWILIO_SID, password=TWILIO_TOKEN),
        make_row("org.civicrm.sms.clickatell", "api_id=Xy7bQ2cS9pLmN0vW3tR5uA==\nfrom=MyOrg",
                 id=4, title="Clickatell", is_active=False),
        make_row("org.civisms.vonage", "from=MyOrg\nsignature_secret=sig-s3cret-123", id=5,
                 title="Vonage", username="abcd1234", password="v0nage-api-s3cret"),
        make_row("org.civicrm.sms.telerivet", "", id=6, title="Telerivet"),
        make_row("org.civicrm.sms.twilio", "mo=1", id=8, title="Broken Twilio",
                 password=TWILIO_TOKEN),
    ]


def assert_no_secret(result: Result) -> None:
    for secret in SECRETS:
        assert secret not in result.stdout and secret not in result.stderr


def test_list_text(fixed_site: FixedSite, run_cli: Callable[..., Result]) -> None:
    fixed_site.rows = rows()
    result = run_cli("providers", "list")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Local outbox  [org.civisms.local → local]  active, default" in out
    assert "Twilio  [org.civicrm.sms.twilio → twilio]  active" in out
    assert "from: +15550003000, +15550003001   rate: 25 segments/s" in out
    assert "Clickatell  [org.civicrm.sms.clickatell → clickatell]  inactive" in out
    assert "[org.civicrm.sms.telerivet → no adapter]" in out
    assert "problem: civicrm_sms_provider.name" in out
    assert "Broken Twilio" in out and "problem:" in out
    assert_no_secret(result)


def test_list_json(fixed_site: FixedSite, run_cli: Callable[..., Result]) -> None:
    fixed_site.rows = rows()
    result = run_cli("providers", "list", "--json")
    assert result.exit_code == 0
    shown = {p["id"]: p for p in json.loads(result.stdout)}
    assert shown[2]["adapter"] == "local" and shown[2]["is_default"]
    assert shown[2]["api_params"]["webhook_token"] == "********"
    assert shown[3]["password"] == "********" and shown[3]["rate_limit"] == 25
    assert shown[3]["from"] == ["+15550003000", "+15550003001"]
    assert shown[4]["api_params"]["api_id"] == "********" and not shown[4]["is_active"]
    assert shown[5]["rate_limit"] == 30 and shown[5]["api_params"]["signature_secret"] == "********"
    assert shown[6]["adapter"] is None and "org.civicrm.sms.twilio" in shown[6]["problem"]
    assert shown[8]["adapter"] == "twilio" and "From" in shown[8]["problem"]
    assert_no_secret(result)


def test_send_through_the_local_provider(fixed_site: FixedSite, run_cli: Callable[..., Result],
                                         tmp_path: Path) -> None:
    fixed_site.rows = rows()
    result = run_cli("providers", "test", "local outbox", "--to", "+1 415 555 0199",
                     "--text", "Hello é")
    assert result.exit_code == 0, result.stderr
    assert "sent via Local outbox (local) to +14155550199: id local-" in result.stdout
    assert "status accepted" in result.stdout
    [record] = [json.loads(line) for line in (tmp_path / "outbox.jsonl").read_text().splitlines()]
    assert record["text"] == "Hello é" and record["to"] == "+14155550199"


def test_inactive_unknown_and_bad_input(fixed_site: FixedSite,
                                        run_cli: Callable[..., Result]) -> None:
    fixed_site.rows = rows()
    result = run_cli("providers", "test", "4", "--to", "+14155550199")
    assert result.exit_code == 2 and "is_active = 0" in result.stderr
    result = run_cli("providers", "test", "Nope", "--to", "+14155550199")
    assert result.exit_code == 2 and "2 'Local outbox'" in result.stderr
    result = run_cli("providers", "test", "2", "--to", "hello")
    assert result.exit_code == 2 and "--to" in result.stderr
    result = run_cli("providers", "test", "6", "--to", "+14155550199")
    assert result.exit_code == 2 and "telerivet" in result.stderr


@pytest.mark.parametrize(("number", "kind"), [("+14155550181", "opted_out"),
                                              ("+14155550180", "recipient")])
def test_classified_recipient_errors(fixed_site: FixedSite, run_cli: Callable[..., Result],
                                     number: str, kind: str) -> None:
    fixed_site.rows = [make_row("org.civisms.local", "opted_out_numbers=+14155550181\n"
                                "invalid_numbers=+14155550180", id=2, title="Local")]
    result = run_cli("providers", "test", "2", "--to", number, "--json")
    assert result.exit_code == 1
    shown = json.loads(result.stdout)
    assert shown["ok"] is False and shown["error"]["kind"] == kind
    text = run_cli("providers", "test", "2", "--to", number)
    assert text.exit_code == 1 and text.stderr.startswith(f"civisms: {kind.replace('_', ' ')}")


def test_sample_site_through_the_db_backend(site, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                            run_cli: Callable[..., Result],
                                            tmp_path: Path) -> None:
    """The real backend on the sample site: rows, adapters, masking, a local send."""
    monkeypatch.setenv("CIVISMS_BACKEND", "db")
    monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    monkeypatch.setenv("CIVISMS_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.delenv("CIVISMS_CONFIG", raising=False)
    result = run_cli("providers", "list", "--json")
    assert result.exit_code == 0, result.stderr
    shown = {p["title"]: p for p in json.loads(result.stdout)}
    assert shown["Local outbox"]["adapter"] == "local" and shown["Local outbox"]["is_default"]
    assert shown["Twilio (disabled)"]["adapter"] == "twilio"
    assert not shown["Twilio (disabled)"]["is_active"]
    assert "not-a-real-token" not in result.stdout and "not-a-secret" not in result.stdout
    sent = run_cli("providers", "test", "Local outbox", "--to", "+14155550199", "--json")
    assert sent.exit_code == 0, sent.stderr
    assert json.loads(sent.stdout)["status"] == "accepted"
    assert (tmp_path / "outbox.jsonl").exists()
    refused = run_cli("providers", "test", "Twilio (disabled)", "--to", "+14155550199")
    assert refused.exit_code == 2 and "is_active = 0" in refused.stderr


@pytest.mark.parametrize("text", ["", "  \n "])
def test_an_empty_test_message_is_refused(fixed_site: FixedSite, run_cli: Callable[..., Result],
                                          tmp_path: Path, text: str) -> None:
    fixed_site.rows = rows()
    result = run_cli("providers", "test", "2", "--to", "+15558675310", "--text", text)
    assert result.exit_code == 2 and "--text is empty" in result.stderr
    assert not (tmp_path / "outbox.jsonl").exists()  # nothing went to the gateway
