"""Vonage (Nexmo) SMS API (PROVIDERS §4.3).

Row (extension key ``org.civisms.vonage``): ``username`` = API key, ``password`` = API
secret, ``api_url`` = ``https://rest.nexmo.com`` by default, ``api_params``:

* ``from=+15551230001|MyOrg`` sender pool (numbers or alphanumeric ids), sticky;
* ``callback=https://...`` delivery-receipt URL (sent with ``status-report-req``);
* ``signature_secret=...`` and ``signature_method=md5hash|md5|sha1|sha256|sha512`` to
  verify signed webhooks (Vonage enables signing on request);
* ``ttl``, ``message-class`` passed through.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from decimal import Decimal
from typing import NoReturn

from civisms.errors import ConfigError
from civisms.providers.base import (
    DeliveryReceipt,
    DeliveryStatus,
    InboundMessage,
    OutboundMessage,
    Provider,
    ProviderConfig,
    SendResult,
    WebhookEvent,
    WebhookRequest,
    digits_only,
    map_status,
    to_decimal,
)
from civisms.providers.http import ErrorKind, HttpResponse, fail, token_matches
from civisms.providers.transport import http_client
from civisms.text.segments import is_gsm

S = DeliveryStatus
#: DLR ``status`` → civisms status (PROVIDERS §4.3 "DLR webhook").
STATUSES: dict[str, DeliveryStatus] = {
    "accepted": S.SENT,  # accepted by the carrier, not yet on the handset
    "buffered": S.SENT,  # the carrier holds it for later delivery
    "delivered": S.DELIVERED,
    "expired": S.UNDELIVERED,
    "failed": S.UNDELIVERED,  # the carrier could not deliver it
    "rejected": S.FAILED,  # refused by Vonage or the carrier before delivery
    "unknown": S.UNKNOWN,
}

#: Per-message ``status`` of the send response → what the caller does ("0" = accepted).
ERRORS: dict[str, ErrorKind] = {
    "1": "rate",  # Throttled
    "2": "fatal",  # Missing params: a civisms or row problem, same for every message
    "3": "recipient",  # Invalid params (typically the number)
    "4": "fatal",  # Invalid credentials
    "5": "transient",  # Internal error
    "6": "recipient",  # Invalid message: unroutable
    "7": "opt_out",  # Number barred: Vonage bars numbers that replied STOP
    "8": "fatal",  # Partner account barred
    "9": "fatal",  # Partner quota exceeded: no credit
    "10": "rate",  # Too many existing binds
    "11": "fatal",  # Account not enabled for HTTP
    "12": "recipient",  # Message too long
    "14": "fatal",  # Invalid signature
    "15": "fatal",  # Invalid sender address
    "22": "recipient",  # Invalid network code
    "23": "fatal",  # Invalid callback URL
    "29": "recipient",  # Non-whitelisted destination (trial account)
    "32": "fatal",  # Signature and API secret disallowed
    "33": "recipient",  # Number de-activated
}

_METHODS = {"md5": hashlib.md5, "sha1": hashlib.sha1, "sha256": hashlib.sha256,
            "sha512": hashlib.sha512}


class VonageProvider(Provider):
    """Vonage's SMS API: form POST to ``/sms/json``, one status per message part."""

    key = "vonage"
    extension_keys = ("org.civisms.vonage", "org.civisms.nexmo")
    default_url = "https://rest.nexmo.com"
    default_mps = 30.0  # "commonly 30 requests/s" (PROVIDERS §5, unverified)
    sender_param = "from"

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        if not config.username or not config.password:
            raise ConfigError(f"SMS provider {config.id} ({config.title})",
                              "no username or password",
                              "username = Vonage API key, password = API secret")
        if not config.senders:
            raise ConfigError(f"SMS provider {config.id} ({config.title}) api_params", "no from",
                              "from=+15551234567 or from=MyOrg (several separated by |)")
        base = config.base_url.rstrip("/").removesuffix("/sms/json")
        self.url = f"{base}/sms/json"
        # The row's own URL wins; else civisms' receipt route (CIVISMS_PUBLIC_URL).
        self.callback = config.full_param("callback") or config.webhook_url("status")
        self.signature_secret = config.full_param("signature_secret")
        method = config.params.get("signature_method", "md5hash").lower()
        if method != "md5hash" and method not in _METHODS:
            raise ConfigError("api_params signature_method", repr(method),
                              "md5hash, md5, sha1, sha256 or sha512")
        self.signature_method = method
        self.http = http_client(f"Vonage ({config.title})", config)

    def send(self, message: OutboundMessage) -> SendResult:
        """POST one message; Vonage answers with one entry per segment it sent."""
        assert self.config.username is not None and self.config.password is not None
        sender = self.sender_for(message) or ""
        data = {
            # Vonage wants international numbers without the "+".
            "from": digits_only(sender) if sender.startswith("+") else sender,
            "to": digits_only(message.to), "text": message.text,
            "type": "text" if is_gsm(message.text) else "unicode",
        }
        if self.callback:
            data["callback"] = self.callback
            data["status-report-req"] = "True"  # what the official SDK sends
        if message.client_ref:
            data["client-ref"] = message.client_ref
        for name in ("ttl", "message-class"):
            if self.config.params.get(name):
                data[name] = self.config.params[name]
        # Credentials in the Authorization header, as the official SDK sends them: never in
        # a form body that a proxy or the gateway's request log may keep.
        resp = self.http.request("POST", self.url, data=data,
                                 auth=(self.config.username, self.config.password))
        name = f"Vonage ({self.config.title})"
        try:
            body = resp.json()
        except ValueError:
            body = None
        parts = body.get("messages") if isinstance(body, dict) else None
        if (resp.status >= 400 or not isinstance(parts, list) or not parts
                or not all(isinstance(p, dict) for p in parts)):
            fail(resp, name, kind=None, detail=self.scrub(resp.text[:300]),
                 raw=self.scrub(resp.text[:2000]))
        for part in parts:
            if str(part.get("status")) != "0":
                self._refused(resp, part, body)
        prices = [to_decimal(p.get("message-price")) for p in parts]
        return SendResult(
            provider=self.key, message_id=parts[0].get("message-id"),
            status=S.ACCEPTED,  # status 0 is "accepted", never "delivered" (PROVIDERS §4.3)
            to=message.to, sender=sender, segments=len(parts),
            price=sum((p for p in prices if p is not None), Decimal(0))
            if any(p is not None for p in prices) else None,
            part_ids=tuple(str(p.get("message-id")) for p in parts), raw=body,
        )

    def _refused(self, resp: HttpResponse, part: Mapping[str, object], body: object) -> NoReturn:
        code = str(part.get("status"))
        detail = f"Vonage status {code}: {self.scrub(str(part.get('error-text') or ''))}"
        fail(resp, f"Vonage ({self.config.title})", kind=ERRORS.get(code, "recipient"),
             code=code, detail=detail, raw=body)

    # -- webhooks --

    def verify_webhook(self, request: WebhookRequest) -> bool:
        """Check ``sig`` with the signature secret; else the civisms webhook token."""
        if not self.signature_secret:
            return token_matches(request, self.config.webhook_token)
        params = request.params()
        offered = params.pop("sig", "").lower()
        params.pop("civisms_token", None)
        if not offered:
            return False
        return hmac.compare_digest(offered.encode(), self.signature(params).encode())

    def signature(self, params: Mapping[str, str]) -> str:
        """Vonage's webhook signature of ``params`` (``sig`` excluded), lower-case hex.

        Sorted keys, ``&`` and ``=`` inside values replaced by ``_``, ``&key=value``
        concatenated; HMAC with the secret, or for "md5hash" MD5 of the text followed by
        the secret (PROVIDERS §4.3, the vonage-http-client algorithm).
        """
        assert self.signature_secret is not None
        text = "".join(
            f"&{key}={str(value).replace('&', '_').replace('=', '_')}"
            for key, value in sorted(params.items()) if key != "sig"
        )
        if self.signature_method == "md5hash":
            return hashlib.md5((text + self.signature_secret).encode()).hexdigest()
        digest = _METHODS[self.signature_method]
        return hmac.new(self.signature_secret.encode(), text.encode(), digest).hexdigest()

    def parse_webhook(self, request: WebhookRequest) -> list[WebhookEvent]:
        """A DLR (has ``status``) → receipt; an inbound message (has ``text``) → inbound."""
        p = request.params()
        msg_id = p.get("messageId") or p.get("message-id")
        if msg_id and "status" in p:
            error = p.get("err-code")
            return [DeliveryReceipt(
                provider=self.key, message_id=msg_id, status=map_status(STATUSES, p["status"]),
                provider_status=p["status"], error_code=error if error not in (None, "0") else None,
                to=p.get("msisdn"), sender=p.get("to"), client_ref=p.get("client-ref"),
                timestamp=p.get("message-timestamp") or p.get("scts"),
                price=to_decimal(p.get("price")), raw=p,
            )]
        if "text" in p and p.get("msisdn"):
            total = p.get("concat-total", "")
            return [InboundMessage(
                provider=self.key, sender=p["msisdn"], text=p["text"], to=p.get("to"),
                message_id=msg_id, timestamp=p.get("message-timestamp"),
                segments=int(total) if total.isdigit() else None, raw=p,
            )]
        return []
