"""civisms' webhook checks against vectors the official SDKs computed (twilio 9.13,
vonage-sms 1.2; tools/sdk_signature_vectors.py recorded them, the SDKs are not installed)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from provider_helpers import DATA, TWILIO_SID, make_row

from civisms.providers.base import WebhookRequest
from civisms.providers.twilio import TwilioProvider
from civisms.providers.vonage import VonageProvider

TWILIO = json.loads((DATA / "twilio" / "sdk_signatures.json").read_text())
VONAGE = json.loads((DATA / "vonage" / "sdk_signatures.json").read_text())


def twilio(shared_key: str | None) -> TwilioProvider:
    params = "From=+15550003000" + (f"\nwebhook_shared_key={shared_key}" if shared_key else "")
    return TwilioProvider.from_row(make_row("org.civicrm.sms.twilio", params,
                                            username=TWILIO_SID,
                                            password=TWILIO["auth_token"]))


def request(case: dict[str, Any]) -> WebhookRequest:
    headers = {"Content-Type": case["content_type"], **case["headers"]}
    return WebhookRequest("POST", case["url"], headers, case["body"].encode())


@pytest.mark.parametrize("case", TWILIO["cases"], ids=[c["name"] for c in TWILIO["cases"]])
def test_twilio_agrees_with_the_sdk(case: dict[str, Any]) -> None:
    assert twilio(TWILIO["webhook_shared_key"]).verify_webhook(request(case)) is case["sdk_valid"]


def test_twilio_sha256_needs_the_shared_key_on_the_row() -> None:
    [case] = [c for c in TWILIO["cases"] if c["name"] == "shared key, SHA-256"]
    assert case["sdk_valid"]
    assert not twilio(None).verify_webhook(request(case))
    assert not twilio("another-key-entirely").verify_webhook(request(case))
    tampered = {**case, "body": case["body"].replace("delivered", "failed")}
    assert not twilio(TWILIO["webhook_shared_key"]).verify_webhook(request(tampered))


@pytest.mark.parametrize("case", VONAGE["cases"],
                         ids=[f"{c['method']}-{c['params']['messageId']}" for c in VONAGE["cases"]])
def test_vonage_agrees_with_the_sdk(case: dict[str, Any]) -> None:
    provider = VonageProvider.from_row(make_row(
        "org.civisms.vonage", f"from=X\nsignature_secret={VONAGE['signature_secret']}\n"
        f"signature_method={case['method']}", username="abcd1234", password="s3cret-api"))
    url = "https://civisms.example/hooks/5?" + urlencode(case["params"])
    assert provider.verify_webhook(WebhookRequest("GET", url))
    forged = {**case["params"], "status": "expired", "text": "forged"}
    url = "https://civisms.example/hooks/5?" + urlencode(forged)
    assert not provider.verify_webhook(WebhookRequest("GET", url))
