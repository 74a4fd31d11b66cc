"""Record webhook-signature vectors computed by the official Twilio and Vonage SDKs.

The SDKs are not civisms dependencies: install them in a scratch virtualenv
(``pip install twilio vonage``), run this from the repository root, and commit the JSON it
writes under tests/providers/data/. The tests then hold civisms' checks to what the SDKs
compute, without the SDKs installed.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator, get_signature_algorithm
from vonage_http_client import Auth

DATA = Path("tests/providers/data")
AUTH_TOKEN = "f3a9c1d2e4b5a6978877665544332211"
SHARED_KEY = "whsk-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
SETTINGS_256 = "key=webhooks_sharedkey_0123456789abcdef,algorithm=HMAC_SHA256"
SETTINGS_1 = "key=webhooks_sharedkey_0123456789abcdef,algorithm=HMAC_SHA1"
STATUS = {"MessageSid": "SM0123456789abcdef0123456789abcdef", "MessageStatus": "delivered",
          "To": "+15558675310", "From": "+15550003000", "AccountSid": "AC0123"}
INBOUND = {"MessageSid": "SM1", "From": "+15558675310", "To": "+15550003000",
           "Body": "Café ok 🎉 & = + %41", "NumMedia": "0"}


class MultiDict(dict):
    """What a web framework hands the SDK for repeated form fields."""

    def getlist(self, name: str) -> list[str]:
        return self[name]


def twilio_case(name: str, signed_url: str, received_url: str, form: list[tuple[str, str]],
                settings: str | None, secret: str, *, json_body: bytes | None = None,
                send_settings: bool = True) -> dict[str, object]:
    algorithm = get_signature_algorithm(settings)
    if json_body is not None:
        signature = RequestValidator(secret).compute_signature(signed_url, {}, algorithm)
        body = json_body.decode()
        params: object = body
    else:
        multi = MultiDict()
        for key, value in form:
            multi.setdefault(key, []).append(value)
        signature = RequestValidator(secret).compute_signature(signed_url, multi, algorithm)
        body = urlencode(form)
        params = multi
    headers = {"X-Twilio-Signature": signature}
    if settings is not None and send_settings:
        headers["X-Twilio-Webhooks-Signature-Settings"] = settings
    # What the SDK concludes on receipt, with the secret the received headers call for.
    received_settings = headers.get("X-Twilio-Webhooks-Signature-Settings")
    received_secret = SHARED_KEY if received_settings is not None else AUTH_TOKEN
    valid = RequestValidator(received_secret).validate(
        received_url, params, signature, get_signature_algorithm(received_settings))
    return {"name": name, "url": received_url, "body": body,
            "content_type": "application/json" if json_body is not None
            else "application/x-www-form-urlencoded",
            "headers": headers, "sdk_valid": valid}


def twilio_vectors() -> dict[str, object]:
    doc_url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    status = list(STATUS.items())
    body = json.dumps({"MessageSid": "SM1", "MessageStatus": "delivered"}).encode()
    json_url = "https://civisms.example/hooks/3?bodySHA256=" + hashlib.sha256(body).hexdigest()
    cases = [
        twilio_case("auth token, SHA-1", doc_url, doc_url, status, None, AUTH_TOKEN),
        twilio_case("shared key, SHA-256", doc_url, doc_url, status, SETTINGS_256, SHARED_KEY),
        twilio_case("shared key, SHA-256, signed with :443", "https://civisms.example:443/h/3",
                    "https://civisms.example/h/3", status, SETTINGS_256, SHARED_KEY),
        twilio_case("shared key, SHA-256, received with :443", "https://civisms.example/h/3",
                    "https://civisms.example:443/h/3", status, SETTINGS_256, SHARED_KEY),
        twilio_case("shared key, SHA-256, non-ASCII body", "https://civisms.example/in",
                    "https://civisms.example/in", list(INBOUND.items()), SETTINGS_256,
                    SHARED_KEY),
        twilio_case("shared key, SHA-256, repeated field", "https://civisms.example/in",
                    "https://civisms.example/in",
                    [*INBOUND.items(), ("MediaUrl0", "https://m/2"), ("MediaUrl0", "https://m/1")],
                    SETTINGS_256, SHARED_KEY),
        twilio_case("shared key, SHA-256, JSON body", json_url, json_url, [], SETTINGS_256,
                    SHARED_KEY, json_body=body),
        twilio_case("shared key, SHA-1 named", doc_url, doc_url, status, SETTINGS_1, SHARED_KEY),
        twilio_case("SHA-256 signature without its settings header", doc_url, doc_url, status,
                    SETTINGS_256, SHARED_KEY, send_settings=False),
        twilio_case("SHA-256 header, signed with the auth token", doc_url, doc_url, status,
                    SETTINGS_256, AUTH_TOKEN),
    ]
    # An algorithm the SDK does not know: signed with SHA-256, announced as SHA-512.
    unknown = twilio_case("unknown algorithm", doc_url, doc_url, status, SETTINGS_256,
                          SHARED_KEY)
    unknown["headers"]["X-Twilio-Webhooks-Signature-Settings"] = (  # type: ignore[index]
        "key=webhooks_sharedkey_0,algorithm=HMAC_SHA512")
    unknown["sdk_valid"] = RequestValidator(SHARED_KEY).validate(
        doc_url, dict(STATUS), unknown["headers"]["X-Twilio-Signature"],  # type: ignore[index]
        "HMAC_SHA512")
    cases.append(unknown)
    return {"sdk": f"twilio {version('twilio')}", "auth_token": AUTH_TOKEN,
            "webhook_shared_key": SHARED_KEY, "cases": cases}


def vonage_vectors() -> dict[str, object]:
    params = [
        {"msisdn": "15558675310", "to": "15550003000", "messageId": "0A0000000123ABCD1",
         "status": "delivered", "err-code": "0", "message-timestamp": "2026-12-04 17:00:00",
         "timestamp": "1796490000", "nonce": "a1b2"},
        {"msisdn": "15558675310", "to": "15550003000", "text": "a&b=c Café 🎉",
         "type": "unicode", "messageId": "0B1", "timestamp": "1796490001"},
    ]
    cases = []
    for method in ("md5", "sha1", "sha256", "sha512"):
        for p in params:
            auth = Auth(api_key="abcd1234", signature_secret="v0nage-sig-s3cret",
                        signature_method=method)
            signed = dict(p)
            signed["sig"] = auth.sign_params(dict(p))
            cases.append({"method": method, "params": signed})
    return {"sdk": f"vonage-sms {version('vonage-sms')}", "signature_secret": "v0nage-sig-s3cret",
            "cases": cases}


def main() -> None:
    for name, vectors in (("twilio", twilio_vectors()), ("vonage", vonage_vectors())):
        path = DATA / name / "sdk_signatures.json"
        path.write_text(json.dumps(vectors, indent=1, ensure_ascii=False) + "\n")
        print(f"{path}: {len(vectors['cases'])} cases")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
