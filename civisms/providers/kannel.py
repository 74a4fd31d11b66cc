"""Generic HTTP SMS gateways: Kannel ``sendsms`` and Jasmin ``/send`` (PROVIDERS §4.4).

Rows (extension keys ``org.civisms.kannel`` / ``org.civisms.jasmin``): ``username`` /
``password`` = the sendsms-user (Kannel) or Jasmin user, ``api_url`` = the send URL
(defaults ``http://127.0.0.1:13013/cgi-bin/sendsms`` and ``http://127.0.0.1:1401/send``;
a bare ``http://host:port`` gets the default path). ``api_params``:

* ``from=...`` sender pool, sticky per recipient (optional: the gateway may set one);
* ``dlr-url=https://civisms.example/webhooks/3`` where delivery reports go; civisms adds
  its own query parameters (message id, status escapes and ``civisms_token``);
* ``webhook_token=...`` shared secret the DLR and inbound URLs must carry (for Kannel
  letters, digits and ``- _ . ~`` only: Kannel rewrites ``%``-escapes in its dlr-url);
* ``number_format=e164|digits`` (default: Kannel ``e164``, Jasmin ``digits``);
* Kannel: ``dlr-mask`` (default 31), ``unicode_coding`` (default 2, Kannel 1.4: UCS-2),
  ``smsc``, ``validity``, ``mclass``, ``priority``, ``account`` passed through;
* Jasmin: ``dlr-level`` (default 3), ``priority``, ``validity-period``, ``tags`` passed
  through.

Kannel returns no message id, so civisms makes one (the message's ``client_ref`` or a
UUID) and puts it in the ``dlr-url``; Jasmin returns its own.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from typing import ClassVar
from urllib.parse import urlencode, urlsplit

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
)
from civisms.providers.http import ErrorKind, HttpResponse, fail, token_matches
from civisms.providers.transport import http_client
from civisms.text.segments import is_gsm

S = DeliveryStatus

#: Kannel ``%d`` DLR values (the ``dlr-mask`` bits) → civisms status.
KANNEL_STATUSES: dict[str, DeliveryStatus] = {
    "1": S.DELIVERED,  # delivered to phone
    "2": S.UNDELIVERED,  # non-delivered to phone
    "4": S.QUEUED,  # queued on SMSC
    "8": S.SENT,  # delivered to SMSC
    "16": S.FAILED,  # non-delivered to SMSC
}

#: Kannel smsbox answers (gw/smsbox.c wording; docs/providers.md) → kind, first match wins.
#: A refused number is that recipient's failure: smsbox answers 403 "Not routable" when
#: bearerbox has no SMSC for it (allowed/denied prefixes, receiver black-lists), and only
#: "Authorization failed" means the credentials.
KANNEL_ERRORS: dict[str, ErrorKind] = {
    "authorization failed": "fatal",  # 403: wrong sendsms-user or password
    "not routable": "recipient",  # 403: bearerbox found no SMSC for this number
    "denied by white- and/or black-lists": "recipient",  # 400: smsbox lists
    "missing receiver": "recipient",
    "empty receiver": "recipient",
    "charset or body misformed": "recipient",  # this message's text
    "sender missing": "fatal",  # no from= and no default sender: every message
    "misformed": "fatal",  # a dlr-url, dlr-mask, validity ... from the row: every message
    "temporal failure": "transient",  # 503: queue full, try again later
    "sending failed": "transient",
}

#: Characters a URL carries without ``%``-encoding, so Kannel's escapes never touch them.
KANNEL_SAFE_TOKEN = re.compile(r"[A-Za-z0-9._~-]+")

#: Jasmin DLR ``message_status`` → civisms status (level 1 = SMSC, 2 = handset).
JASMIN_STATUSES: dict[str, DeliveryStatus] = {
    "esme_rok": S.SENT,
    "enroute": S.SENT,
    "acceptd": S.SENT,
    "delivrd": S.DELIVERED,
    "expired": S.UNDELIVERED,
    "undeliv": S.UNDELIVERED,
    "deleted": S.FAILED,
    "rejectd": S.FAILED,
    "unknown": S.UNKNOWN,
}

#: Jasmin error texts (``Error "..."`` bodies) → kind, first match wins; HTTP status
#: decides otherwise. Jasmin answers 403 for authentication, charging and throughput alike.
JASMIN_ERRORS: dict[str, ErrorKind] = {
    "authentication failure": "fatal",
    "cannot charge": "fatal",  # balance exhausted
    "throughput exceeded": "rate",
    "no route found": "recipient",  # 412: no MT route for this number
    "destination_address filter": "recipient",  # 400: the user may not text this number
    "content filter": "recipient",  # 400: this text
    "argument [to] has an invalid value": "recipient",
    "no bound connectors": "transient",  # 412: the failover route's SMSCs are all down
    "authorization failed": "fatal",  # 400: a permission the Jasmin user lacks
    "mandatory argument": "fatal",
    "is unknown": "fatal",
    "invalid value": "fatal",  # another argument, from the row
}

class _HttpGateway(Provider):
    """What Kannel and Jasmin share: URL defaults, DLR URL, token-checked webhooks."""

    default_path: ClassVar[str] = ""
    default_number_format: ClassVar[str] = "e164"
    label: ClassVar[str] = ""
    sender_param = "from"
    default_mps = 10.0  # a typical SMSC connector's throughput; set civisms_mps
    # Both cut UCS-2 every 134 octets, an emoji's surrogate pair included (docs/providers.md).
    segment_cut = "unit"

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        parts = urlsplit(config.base_url)
        self.url = config.base_url
        if parts.path in ("", "/"):
            self.url = config.base_url.rstrip("/") + self.default_path
        # The row's own URL wins; else civisms' receipt route (CIVISMS_PUBLIC_URL);
        # callback_url adds the token.
        self.dlr_url = config.full_param("dlr-url") or config.webhook_url("status", token=False)
        self.number_format = config.params.get("number_format", self.default_number_format)
        self.name = f"{self.label} ({config.title})"
        self.http = http_client(self.name, config)

    def number(self, e164: str) -> str:
        """The recipient in the format this gateway's routes expect."""
        return digits_only(e164) if self.number_format == "digits" else e164

    def callback_url(self, ids: dict[str, str], escapes: str = "") -> str | None:
        """``dlr-url`` plus civisms' ``ids``, ``civisms_token`` and gateway ``escapes``.

        ``escapes`` (``dlr=%d&answer=%A``) stay literal for the gateway to substitute;
        everything else is URL-encoded so that no stray ``%`` reads as an escape.
        """
        if not self.dlr_url:
            return None
        params = dict(ids)
        if self.config.webhook_token:
            params["civisms_token"] = self.config.webhook_token
        query = "&".join(q for q in (urlencode(params), escapes) if q)
        if not query:
            return self.dlr_url
        return self.dlr_url + ("&" if urlsplit(self.dlr_url).query else "?") + query

    def refused(self, resp: HttpResponse, table: dict[str, ErrorKind]) -> None:
        """Raise the classified error for a failed answer."""
        text = self.scrub(resp.text.strip())
        lowered = text.lower()
        kind = next((k for needle, k in table.items() if needle in lowered), None)
        fail(resp, self.name, kind=kind, detail=text[:300] or f"HTTP {resp.status}",
             raw=text[:2000])

    def verify_webhook(self, request: WebhookRequest) -> bool:
        """No signatures on these gateways: require the ``webhook_token``."""
        return token_matches(request, self.config.webhook_token)

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()


class KannelProvider(_HttpGateway):
    """Kannel smsbox ``/cgi-bin/sendsms`` (GET), success = HTTP 202."""

    key = "kannel"
    extension_keys = ("org.civisms.kannel",)
    default_url = "http://127.0.0.1:13013/cgi-bin/sendsms"
    default_path = "/cgi-bin/sendsms"
    label = "Kannel"
    PASSTHROUGH: ClassVar[tuple[str, ...]] = (
        "smsc", "validity", "mclass", "priority", "account",
    )

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        token = config.webhook_token
        if token and not KANNEL_SAFE_TOKEN.fullmatch(token):
            # Kannel expands %-escapes (%C, %A ...) inside the dlr-url it stores, so an
            # encoded character of the token would come back rewritten and every DLR fail.
            raise ConfigError(f"SMS provider {config.id} ({config.title}) api_params "
                              "webhook_token", "characters Kannel would rewrite in the "
                              "dlr-url (anything but letters, digits, - _ . ~)",
                              "a token of letters, digits, - _ . ~ only, e.g. from "
                              "`openssl rand -hex 24`")

    def send(self, message: OutboundMessage) -> SendResult:
        """GET sendsms; the message id is ours, carried by the DLR URL."""
        message_id = message.client_ref or uuid.uuid4().hex
        sender = self.sender_for(message)
        query = {
            "username": self.config.username or "", "password": self.config.password or "",
            "to": self.number(message.to), "text": message.text, "charset": "UTF-8",
        }
        if sender:
            query["from"] = sender
        if not is_gsm(message.text):
            query["coding"] = self.config.params.get("unicode_coding", "2")
        dlr = self.callback_url({"civisms_id": message_id}, "dlr=%d&answer=%A&ts=%t")
        if dlr:
            query["dlr-mask"] = self.config.params.get("dlr-mask", "31")
            query["dlr-url"] = dlr
        for name in self.PASSTHROUGH:
            if self.config.params.get(name):
                query[name] = self.config.params[name]
        resp = self.http.request("GET", self.url, params=query)
        text = resp.text.strip()
        accepted = text[:1].isdigit() or text.lower().startswith("sent")
        if resp.status not in (200, 202) or not accepted:
            self.refused(resp, KANNEL_ERRORS)
        status = S.QUEUED if text.startswith("3:") else S.ACCEPTED  # "3: Queued for later"
        return SendResult(provider=self.key, message_id=message_id, status=status,
                          to=message.to, sender=sender, segments=_parts_sent(text), raw=text)

    def parse_webhook(self, request: WebhookRequest) -> list[WebhookEvent]:
        """Our DLR URL → receipt; an sms-service ``get-url`` call → inbound message.

        The documented get-url is ``...?civisms_token=T&from=%p&to=%P&text=%b&charset=%C
        &id=%I&ts=%t`` (``%b`` keeps the bytes; ``%C`` names their charset).
        """
        p = request.params()
        if p.get("civisms_id") and "dlr" in p:
            status, provider_status, code = kannel_receipt(p["dlr"], p.get("answer", ""))
            return [DeliveryReceipt(
                provider=self.key, message_id=p["civisms_id"], status=status,
                provider_status=provider_status, error_code=code, timestamp=p.get("ts"),
                raw=p)]
        if p.get("from") and "text" in p:
            return [InboundMessage(
                provider=self.key, sender=p["from"], text=_decode(request, p), to=p.get("to"),
                message_id=p.get("id"), timestamp=p.get("ts"), raw=p)]
        return []


class JasminProvider(_HttpGateway):
    """Jasmin's HTTP API ``/send`` (form POST), success = ``Success "<id>"``."""

    key = "jasmin"
    extension_keys = ("org.civisms.jasmin",)
    default_url = "http://127.0.0.1:1401/send"
    default_path = "/send"
    default_number_format = "digits"
    label = "Jasmin"
    PASSTHROUGH: ClassVar[tuple[str, ...]] = ("priority", "validity-period", "tags")

    def send(self, message: OutboundMessage) -> SendResult:
        """POST /send; Jasmin answers with its message id."""
        sender = self.sender_for(message)
        data = {"username": self.config.username or "", "password": self.config.password or "",
                "to": self.number(message.to)}
        if sender:
            data["from"] = sender
        if is_gsm(message.text):
            data["content"] = message.text
        else:
            # Jasmin sends `content` as given; UCS-2 must arrive as hex with coding 8.
            data["hex-content"] = message.text.encode("utf-16-be").hex()
            data["coding"] = "8"
        dlr = self.callback_url({})
        if dlr:
            data.update({"dlr": "yes", "dlr-url": dlr, "dlr-method": "POST",
                         "dlr-level": self.config.params.get("dlr-level", "3")})
        for name in self.PASSTHROUGH:
            if self.config.params.get(name):
                data[name] = self.config.params[name]
        resp = self.http.request("POST", self.url, data=data)
        text = resp.text.strip()
        if resp.status != 200 or not text.startswith("Success"):
            self.refused(resp, JASMIN_ERRORS)
        message_id = text.removeprefix("Success").strip().strip('"')
        return SendResult(provider=self.key, message_id=message_id or None,
                          status=S.ACCEPTED, to=message.to, sender=sender, raw=text)

    def parse_webhook(self, request: WebhookRequest) -> list[WebhookEvent]:
        """A DLR (``message_status``) → receipt; a MO message (``content``) → inbound."""
        p = request.params()
        if p.get("id") and p.get("message_status"):
            status = p["message_status"]
            mapped = map_status(JASMIN_STATUSES, status)
            if status.upper().startswith("ESME_R") and status.upper() != "ESME_ROK":
                mapped = S.FAILED  # the SMSC refused the submit_sm
            return [DeliveryReceipt(
                provider=self.key, message_id=p["id"], status=mapped, provider_status=status,
                error_code=p.get("err") if p.get("err") not in (None, "", "000") else None,
                timestamp=p.get("donedate"), raw=p)]
        if p.get("from") and ("content" in p or "binary" in p):
            text = p.get("content", "")
            if p.get("coding") == "8" and p.get("binary"):
                with contextlib.suppress(ValueError):
                    text = bytes.fromhex(p["binary"]).decode("utf-16-be")
            return [InboundMessage(provider=self.key, sender=p["from"], text=text,
                                   to=p.get("to"), message_id=p.get("id"), raw=p)]
        return []

    def webhook_reply(self, events: list[WebhookEvent]) -> tuple[int, str, str]:
        """Jasmin retries any answer but exactly ``ACK/Jasmin`` (PROVIDERS §4.4)."""
        return 200, "ACK/Jasmin", "text/plain"


_COMMAND_STATUS = re.compile(r"0x[0-9A-Fa-f]+|\d+")
_SMPP_FIELD = re.compile(r"(?:^|\s)(stat|err):(\S*)")


def kannel_receipt(dlr: str, answer: str) -> tuple[DeliveryStatus, str, str | None]:
    """Status, provider status and error code of a Kannel DLR (``%d`` and ``%A``).

    ``%A`` is the SMSC's words: an SMPP receipt ``id:.. sub:.. stat:UNDELIV err:034
    text:..`` (``stat`` tells a refusal from a miss, ``err`` is the code, ``000`` none),
    ``ACK/..`` when the SMSC took the message, or ``NACK/0x0000000b/Invalid destination
    address`` when it refused it (the SMPP command status is the code).
    """
    answer = answer.strip()
    status = map_status(KANNEL_STATUSES, dlr)
    if answer.upper().startswith("NACK/"):
        # NACK/0x0000000b/Invalid destination address; Kannel's own refusals give a reason
        # instead of a code (NACK/no SMSC), which stays in the raw receipt.
        code = answer[5:].partition("/")[0].strip()
        return status, "NACK", code if _COMMAND_STATUS.fullmatch(code) else None
    fields = {k: v for k, v in _SMPP_FIELD.findall(answer)}
    stat = fields.get("stat", "").upper()
    mapped = map_status(JASMIN_STATUSES, stat)  # the same SMPP receipt states
    # Kannel's %d is its verdict (it derives it from stat); stat only tells a refusal
    # (REJECTD: failed) from a miss (UNDELIV, EXPIRED: undelivered), or fills an unknown %d.
    failures = (S.UNDELIVERED, S.FAILED)
    if (status in failures and mapped in failures) or status is S.UNKNOWN:
        status = mapped if stat else status
    err = fields.get("err", "").strip()
    code = err if err and err.strip("0") else None
    return status, stat or dlr, code


def _parts_sent(answer: str) -> int | None:
    """Parts Kannel says it sent: ``Sent. Message splits: 3`` (``immediate-sendsms-reply``),
    plain ``Sent.`` for one; the default ``0: Accepted for delivery`` does not say."""
    if not answer.lower().startswith("sent"):
        return None
    found = re.search(r"Message splits: (\d+)", answer)
    return int(found.group(1)) if found else 1


def _decode(request: WebhookRequest, p: dict[str, str]) -> str:
    # %b is the raw SMS bytes; Kannel names their charset in %C (UTF-16BE for UCS-2).
    raw = request.param_bytes("text")
    charset = p.get("charset") or "UTF-8"
    if raw is None:
        return p["text"]
    try:
        return raw.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return raw.decode("utf-8", "replace")
