"""Twilio Programmable Messaging (PROVIDERS §4.1), configured like org.civicrm.sms.twilio.

Row: ``username`` = Account SID, ``password`` = Auth Token, ``api_url`` =
``https://api.twilio.com/`` (the extension's default), ``api_params``:

* ``From=+15551230001|+15551230002`` sender pool (sticky per recipient, not random), or
* ``MessagingServiceSid=MG...`` (preferred when both are set; the JohnFF fork's key);
* ``StatusCallback=https://...`` delivery-receipt URL (the extension never set one);
* ``AccountSid=AC...`` when ``username`` is an API Key SID (SK...);
* ``webhook_shared_key=...`` the shared key of webhooks signed with HMAC-SHA256
  (``X-Twilio-Webhooks-Signature-Settings``), separate from the Auth Token;
* ``ValidityPeriod``, ``MaxPrice``, ``SmartEncoded``, ``ShortenUrls``, ``ProvideFeedback``
  are passed through; ``mo=1`` (in the extension's user guide) is ignored, as it does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import ClassVar, NoReturn
from urllib.parse import parse_qs, urlsplit, urlunsplit

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
    count_or_none,
    map_status,
    to_decimal,
)
from civisms.providers.http import ErrorKind, HttpResponse, fail
from civisms.providers.transport import http_client

S = DeliveryStatus
#: Twilio ``status`` → civisms status (PROVIDERS §4.1 "Status values").
STATUSES: dict[str, DeliveryStatus] = {
    "accepted": S.ACCEPTED,  # a Messaging Service has it, no sender chosen yet
    "scheduled": S.QUEUED,
    "queued": S.QUEUED,
    "sending": S.QUEUED,  # being dispatched; the carrier has not acknowledged
    "sent": S.SENT,
    "delivered": S.DELIVERED,
    "read": S.DELIVERED,
    "partially_delivered": S.UNDELIVERED,  # not every part arrived
    "undelivered": S.UNDELIVERED,
    "failed": S.FAILED,
    "canceled": S.FAILED,
}

#: Twilio error ``code`` → what the caller does (PROVIDERS §4.1 "Errors that matter").
ERRORS: dict[int, ErrorKind] = {
    20003: "fatal",  # authentication failed
    20404: "fatal",  # resource not found: wrong Account SID
    20429: "rate",  # REST concurrency limit
    21211: "recipient",  # invalid To
    21408: "recipient",  # destination region not enabled (geo permissions)
    21606: "fatal",  # From is not an SMS-capable number of this account
    21608: "recipient",  # trial account: To is not verified
    21610: "opt_out",  # the recipient replied STOP
    21612: "recipient",  # unroutable
    21614: "recipient",  # To is not SMS-capable (landline)
    21617: "recipient",  # body over 1,600 characters
    21635: "recipient",  # landline
    30001: "rate",  # queue overflow
    30002: "fatal",  # account suspended
    30034: "fatal",  # unregistered 10DLC sender
}


#: Header of webhooks signed with a shared key instead of the Auth Token.
SIGNATURE_SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"
_DIGESTS = {"HMAC_SHA1": hashlib.sha1, "HMAC_SHA256": hashlib.sha256}


class TwilioProvider(Provider):
    """Twilio's Messages resource: form POST to ``Messages.json`` with Basic auth."""

    key = "twilio"
    extension_keys = ("org.civicrm.sms.twilio", "org.civisms.twilio")
    default_url = "https://api.twilio.com/"
    default_mps = 1.0  # a US/CA long code (PROVIDERS §5); raise it with civisms_mps
    sender_param = "From"
    PASSTHROUGH: ClassVar[tuple[str, ...]] = (
        "ValidityPeriod", "MaxPrice", "SmartEncoded", "ShortenUrls", "ProvideFeedback",
    )

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        if not config.username or not config.password:
            raise ConfigError(f"SMS provider {config.id} ({config.title})",
                              "no username or password",
                              "username = Twilio Account SID, password = Auth Token")
        self.account_sid = config.params.get("AccountSid") or config.username
        self.service_sid = config.params.get("MessagingServiceSid") or None
        if not self.service_sid and not config.senders:
            raise ConfigError(f"SMS provider {config.id} ({config.title}) api_params", "no From",
                              "From=+15551234567 (several separated by |) or "
                              "MessagingServiceSid=MG...")
        base = config.base_url.rstrip("/").split("/2010-04-01")[0]
        self.url = f"{base}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        # The row's own URL wins; else civisms' receipt route (CIVISMS_PUBLIC_URL).
        self.status_callback = (config.full_param("StatusCallback")
                                or config.webhook_url("status"))
        self.http = http_client(f"Twilio ({config.title})", config)

    def send(self, message: OutboundMessage) -> SendResult:
        """POST one message; the ``sid`` and initial status come back."""
        data = {"To": message.to, "Body": message.text}
        sender = message.sender
        if self.service_sid and not sender:
            data["MessagingServiceSid"] = self.service_sid
        else:
            sender = self.sender_for(message)
            data["From"] = sender or ""
        if self.status_callback:
            data["StatusCallback"] = self.status_callback
        for name in self.PASSTHROUGH:
            if self.config.params.get(name):
                data[name] = self.config.params[name]
        assert self.config.username is not None and self.config.password is not None
        resp = self.http.request("POST", self.url, data=data,
                                 auth=(self.config.username, self.config.password))
        try:
            body = resp.json()
        except ValueError:
            body = None
        if resp.status >= 400 or not isinstance(body, dict):
            self._raise(resp, body)
        segments = count_or_none(body.get("num_segments"))  # "0" via a Messaging Service
        price = to_decimal(body.get("price"))
        return SendResult(
            provider=self.key, message_id=body.get("sid"),
            status=map_status(STATUSES, body.get("status")), to=message.to,
            sender=body.get("from") or sender, segments=segments,
            # Twilio reports a debit as a negative price.
            price=abs(price) if price is not None else None,
            currency=body.get("price_unit"), raw=body,
        )

    def _raise(self, resp: HttpResponse, body: object) -> NoReturn:
        name = f"Twilio ({self.config.title})"
        if not isinstance(body, dict):
            fail(resp, name, kind=None, detail="", raw=self.scrub(resp.text[:500]))
        code = body.get("code")
        detail = self.scrub(str(body.get("message") or ""))
        kind = ERRORS.get(int(code)) if str(code).isascii() and str(code).isdigit() else None
        fail(resp, name, kind=kind, code=code, detail=f"Twilio error {code}: {detail}", raw=body)

    # -- webhooks --

    def verify_webhook(self, request: WebhookRequest) -> bool:
        """Check ``X-Twilio-Signature`` (PROVIDERS §4.1), with and without the port.

        Signed with the Auth Token (HMAC-SHA1), or, when the request carries
        ``X-Twilio-Webhooks-Signature-Settings: key=...,algorithm=HMAC_SHA256``, with the
        row's ``webhook_shared_key`` and the algorithm it names.
        """
        signature = request.header("X-Twilio-Signature")
        settings = request.header(SIGNATURE_SETTINGS_HEADER)
        token = self.config.password
        algorithm = "HMAC_SHA1"
        if settings is not None:
            token = self.config.full_param("webhook_shared_key")
            algorithm = _settings_algorithm(settings)
        if not signature or not token or algorithm not in _DIGESTS:
            return False
        query = parse_qs(urlsplit(request.url).query)
        params: dict[str, list[str]] = request.form
        if "bodySHA256" in query:
            # JSON webhooks: the URL carries the body's hash and is signed with no params.
            expected = hashlib.sha256(request.body).hexdigest()
            if not hmac.compare_digest(expected.encode(), query["bodySHA256"][0].encode()):
                return False
            params = {}
        # Bytes: compare_digest refuses a str with non-ASCII characters (a forged header).
        return any(
            hmac.compare_digest(twilio_signature(token, url, params, algorithm).encode(),
                                signature.encode())
            for url in _port_variants(request.url)
        )

    def parse_webhook(self, request: WebhookRequest) -> list[WebhookEvent]:
        """A status callback → one receipt; an incoming message → one inbound message."""
        p = request.params()
        sid = p.get("MessageSid") or p.get("SmsSid") or p.get("SmsMessageSid")
        status = (p.get("MessageStatus") or p.get("SmsStatus") or "").lower()
        if sid and status and status not in ("received", "receiving"):
            return [DeliveryReceipt(
                provider=self.key, message_id=sid, status=map_status(STATUSES, status),
                provider_status=status, error_code=p.get("ErrorCode") or None,
                to=p.get("To"), sender=p.get("From"), timestamp=p.get("RawDlrDoneDate"),
                opted_out=p.get("ErrorCode") == "21610", raw=p,
            )]
        if "Body" in p and p.get("From"):
            # The MediaUrlN fields themselves, not NumMedia: a forged NumMedia (":" or a
            # billion) must neither crash the parser nor make it loop.
            count = min(_count(p.get("NumMedia")) or 0, _MAX_MEDIA)
            media = tuple(p[f"MediaUrl{i}"] for i in range(count) if f"MediaUrl{i}" in p)
            return [InboundMessage(
                provider=self.key, sender=p["From"], text=p["Body"], to=p.get("To"),
                message_id=sid, segments=_count(p.get("NumSegments")),
                media_urls=media, raw=p,
            )]
        return []

    def webhook_reply(self, events: list[WebhookEvent]) -> tuple[int, str, str]:
        """Empty TwiML: acknowledge without replying to the texter."""
        return 200, '<?xml version="1.0" encoding="UTF-8"?><Response></Response>', "text/xml"

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()


#: Twilio attaches at most 10 media files to a message.
_MAX_MEDIA = 10


def _count(value: str | None) -> int | None:
    """A count Twilio sends as decimal digits; anything else (``":"``, ``"²"``) is None."""
    if value and value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    return None


def twilio_signature(
    token: str, url: str, params: dict[str, list[str]], algorithm: str = "HMAC_SHA1"
) -> str:
    """Base64 HMAC of the URL followed by each sorted ``name + value`` (Twilio's SDK).

    ``algorithm`` is ``HMAC_SHA1`` (Auth Token signatures) or ``HMAC_SHA256``.
    """
    payload = url
    for name in sorted(params):
        for value in sorted(set(params[name])):
            payload += name + value
    digest = hmac.new(token.encode(), payload.encode("utf-8"), _DIGESTS[algorithm]).digest()
    return base64.b64encode(digest).decode()


def _settings_algorithm(header: str) -> str:
    # "key=webhooks_sharedkey_...,algorithm=HMAC_SHA256"; no algorithm named means SHA-1.
    for part in header.split(","):
        name, equals, value = part.partition("=")
        if equals and name.strip().lower() == "algorithm" and value.strip():
            return value.strip().upper()
    return "HMAC_SHA1"


def _port_variants(url: str) -> tuple[str, ...]:
    # Twilio signs sometimes with, sometimes without the default port (its SDK tries both).
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if parts.port is not None:
        host = host.rsplit(":", 1)[0]
    port = parts.port or (443 if parts.scheme == "https" else 80)
    bare = urlunsplit(parts._replace(netloc=f"{userinfo}{at}{host}"))
    with_port = urlunsplit(parts._replace(netloc=f"{userinfo}{at}{host}:{port}"))
    return (url, bare, with_port)
