"""Clickatell Platform (PROVIDERS §4.2), configured like org.civicrm.sms.clickatell.

Row: ``api_url`` = ``https://platform.clickatell.com`` (default), ``api_params``:

* ``api_id=<API key>`` as the extension stores it, or ``api_key=<API key>``. CiviCRM's
  parser cuts the key's trailing ``==`` (the extension re-appends ``==``); civisms reads
  the raw ``api_params`` text instead when the backend provides it;
* ``from=+15551230001|...`` sender pool (sticky per recipient; optional);
* ``api=one`` (One API, ``POST /v1/message``), ``api=rest`` (Platform REST,
  ``POST /messages``) or ``api=http`` (Platform HTTP, ``GET /messages/http/send``, what
  the extension calls). Default: ``http`` for ``org.civicrm.sms.clickatell`` rows,
  ``one`` for ``org.civisms.clickatell``;
* ``mo``, ``concat`` are ignored (the platform decides); ``is_test=1`` is refused.

The legacy Central API (``https://api.clickatell.com``) is not supported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

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

S = DeliveryStatus
#: Platform message statuses, by name and by ``statusCode`` (PROVIDERS §4.2).
STATUSES: dict[str, DeliveryStatus] = {
    "unknown": S.UNKNOWN, "1": S.UNKNOWN,
    "queued": S.QUEUED, "2": S.QUEUED,
    "scheduled": S.QUEUED, "3": S.QUEUED,
    "sent_to_supplier": S.SENT, "4": S.SENT,
    "device_ack": S.DELIVERED, "5": S.DELIVERED,
    "read": S.DELIVERED, "6": S.DELIVERED,
    "expired": S.UNDELIVERED, "20": S.UNDELIVERED,
    "stopped_by_user": S.FAILED, "21": S.FAILED,  # the recipient opted out
    "stopped_by_admin": S.FAILED, "22": S.FAILED,
    "delivery_failure": S.UNDELIVERED, "23": S.UNDELIVERED,
    "insufficient_account_balance": S.FAILED, "25": S.FAILED,
    "volume_limit": S.FAILED, "26": S.FAILED,
    "volume_limit_daily": S.FAILED, "27": S.FAILED,
    "volume_limit_monthly": S.FAILED, "28": S.FAILED,
    "recipient_does_not_exist": S.UNDELIVERED, "29": S.UNDELIVERED,
    "routing_error": S.FAILED, "100": S.FAILED,
    # One API names (unverified: not in PROVIDERS.md; unknown names stay UNKNOWN anyway).
    "delivered_to_gateway": S.SENT,
    "received_by_recipient": S.DELIVERED,
    "read_by_recipient": S.DELIVERED,
}
OPT_OUT_STATUSES = frozenset({"stopped_by_user", "21"})

#: Legacy Central DLR codes, as the extension's ``callback()`` reads them (COMPAT §4.3).
LEGACY_STATUSES: dict[str, DeliveryStatus] = {
    "001": S.UNKNOWN,  # message unknown
    "002": S.QUEUED,  # queued
    "003": S.SENT,  # delivered to gateway
    "004": S.DELIVERED,  # received by recipient
    "005": S.FAILED,  # error with message
    "006": S.FAILED,  # user cancelled delivery
    "007": S.UNDELIVERED,  # error delivering
    "008": S.ACCEPTED,  # OK, received by gateway
    "009": S.FAILED,  # routing error
    "010": S.UNDELIVERED,  # expired
    "011": S.QUEUED,  # queued for later delivery
    "012": S.FAILED,  # out of credit
    "013": S.FAILED,  # cancelled by Clickatell
    "014": S.FAILED,  # maximum MT limit exceeded
}

#: Gateway error codes → what the caller does (PROVIDERS §4.2).
ERRORS: dict[str, ErrorKind] = {
    "1": "fatal",  # invalid or missing API key
    "2": "fatal",  # account inactive
    "7": "fatal",  # IP address not approved
    "19": "transient",  # please retry
    "20": "fatal",  # insufficient balance
    "22": "fatal",  # too many messages in the request
    "23": "recipient",  # invalid or missing parameter
    "24": "recipient",  # content too long
    "25": "recipient",  # invalid recipient
    "26": "opt_out",  # the recipient opted out
    "40": "recipient",  # charset not supported
    "43": "rate",  # rate limit
    "44": "fatal",  # sender id suspended
    "100": "recipient",  # too many parts
    "110": "recipient",  # US destination needs a two-way integration
    "111": "recipient",  # US destination needs STOP/SUBSCRIBE enabled
}

_PATHS = {"one": "/v1/message", "rest": "/messages", "http": "/messages/http/send"}


class ClickatellProvider(Provider):
    """Clickatell's One API or Platform REST/HTTP, key in the ``Authorization`` header."""

    key = "clickatell"
    extension_keys = ("org.civicrm.sms.clickatell", "org.civisms.clickatell")
    default_url = "https://platform.clickatell.com"
    default_mps = 10.0  # no published default; error 43 marks the account limit
    sender_param = "from"

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        where = f"SMS provider {config.id} ({config.title})"
        if "api.clickatell.com" in config.base_url:
            raise ConfigError(f"{where} api_url", repr(config.base_url),
                              "https://platform.clickatell.com (the legacy Central API is "
                              "not supported)")
        if config.params.get("is_test") == "1":
            raise ConfigError(f"{where} api_params", "is_test=1",
                              "no is_test: use the civisms local provider to test")
        self.api_key = config.full_param("api_key") or self._key_from_api_id()
        if not self.api_key:
            raise ConfigError(f"{where} api_params", "no api_id", "api_id=<Clickatell API key>")
        default_api = "http" if config.extension_key == "org.civicrm.sms.clickatell" else "one"
        self.api = config.params.get("api", default_api).lower()
        if self.api not in _PATHS:
            raise ConfigError(f"{where} api_params api", repr(self.api), "one, rest or http")
        base = config.base_url.rstrip("/")
        for path in _PATHS.values():
            base = base.removesuffix(path)
        self.url = base + _PATHS[self.api]
        self.http = http_client(f"Clickatell ({config.title})", config,
                                secrets=(*config.secrets(), self.api_key))

    def _key_from_api_id(self) -> str | None:
        whole = self.config.full_param("api_id")
        if whole is None or self.config.api_params_raw is not None:
            return whole
        # Only the parsed value: CiviCRM cut the key at "=", and the extension rebuilds
        # it by appending "==" (PROVIDERS §1.2). Do the same.
        return whole + "=="

    def send(self, message: OutboundMessage) -> SendResult:
        """Send one message through the configured API flavour."""
        to = digits_only(message.to)  # Clickatell wants international digits, no "+"
        sender = self.sender_for(message)
        headers = {"Authorization": self.api_key, "Accept": "application/json"}
        if self.api == "http":
            query = {"apiKey": self.api_key, "to": to, "content": message.text}
            if sender:
                query["from"] = digits_only(sender) if sender.startswith("+") else sender
            resp = self.http.request("GET", self.url, params=query,
                                     headers={"Accept": "application/json"})
        else:
            item: dict[str, Any] = {"content": message.text}
            if sender:
                item["from"] = digits_only(sender) if sender.startswith("+") else sender
            if message.client_ref:
                item["clientMessageId"] = message.client_ref
            if self.api == "one":
                payload: dict[str, Any] = {"messages": [{"channel": "sms", "to": to, **item}]}
            else:
                payload = {"to": [to], **item}
            resp = self.http.request("POST", self.url, json=payload, headers=headers)
        return self._result(resp, message, sender)

    def _result(self, resp: HttpResponse, message: OutboundMessage, sender: str | None
                ) -> SendResult:
        name = f"Clickatell ({self.config.title})"
        try:
            body = resp.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            fail(resp, name, kind=None, detail="", raw=self.scrub(resp.text[:2000]))
        parts = body.get("messages") or []
        first = parts[0] if parts and isinstance(parts[0], dict) else {}
        code, text = _error_of(body)
        if code is None and first and not first.get("accepted", True):
            code, text = _error_of(first)
            code = code or "?"
        if code is not None or resp.status >= 400 or not first.get("apiMessageId"):
            self._refused(resp, code, text, body)
        return SendResult(provider=self.key, message_id=str(first["apiMessageId"]),
                          status=S.ACCEPTED, to=message.to, sender=sender, raw=body)

    def _refused(self, resp: HttpResponse, code: str | None, text: str, body: object
                 ) -> NoReturn:
        detail = f"Clickatell error {code}: {self.scrub(text)}" if code else self.scrub(text)
        fail(resp, f"Clickatell ({self.config.title})", kind=ERRORS.get(code or ""),
             code=code, detail=detail, raw=body)

    # -- webhooks --

    def verify_webhook(self, request: WebhookRequest) -> bool:
        """Clickatell does not sign callbacks: require the civisms webhook token."""
        return token_matches(request, self.config.webhook_token)

    def parse_webhook(self, request: WebhookRequest) -> list[WebhookEvent]:
        """Status callbacks (platform and legacy) → receipts; replies → inbound messages."""
        p = request.params()
        if p.get("apiMsgId") and p.get("status"):  # legacy Central, as the extension reads it
            code = p["status"].zfill(3)
            return [DeliveryReceipt(
                provider=self.key, message_id=p["apiMsgId"],
                status=LEGACY_STATUSES.get(code, S.UNKNOWN), provider_status=code,
                to=p.get("to"), sender=p.get("from"), timestamp=p.get("timestamp"), raw=p)]
        status = p.get("status") or p.get("statusCode")
        if p.get("messageId") and status and not p.get("text"):
            key = status.lower()
            return [DeliveryReceipt(
                provider=self.key, message_id=p["messageId"], status=map_status(STATUSES, key),
                provider_status=status, error_code=p.get("errorCode") or None,
                to=p.get("to"), sender=p.get("from"), client_ref=p.get("clientMessageId"),
                timestamp=p.get("timestamp"),
                opted_out=key in OPT_OUT_STATUSES or p.get("statusCode") == "21", raw=p)]
        sender = p.get("fromNumber") or p.get("from")
        if sender and ("text" in p or "content" in p):
            return [InboundMessage(
                provider=self.key, sender=sender, text=self._text(request, p),
                to=p.get("toNumber") or p.get("to"),
                message_id=p.get("messageId") or p.get("moMsgId"),
                timestamp=p.get("timestamp"), raw=p)]
        return []

    @staticmethod
    def _text(request: WebhookRequest, p: Mapping[str, str]) -> str:
        # iPhone replies arrive as UTF-16BE with charset= (PROVIDERS §1.2, issue #10).
        name = "text" if "text" in p else "content"
        charset = (p.get("charset") or "").strip()
        raw = request.param_bytes(name)
        if raw is not None and charset and charset.lower().replace("-", "") != "utf8":
            try:
                return raw.decode(charset)
            except (LookupError, UnicodeDecodeError):
                pass
        return p[name]


def _error_of(obj: Mapping[str, Any]) -> tuple[str | None, str]:
    """(code, description) of a Clickatell error object, either generation's shape."""
    err = obj.get("error")
    if isinstance(err, dict):
        code = err.get("code")
        return (str(code) if code is not None else "?"), str(err.get("description") or "")
    code = obj.get("errorCode")
    if code is None and not err:
        return None, ""
    text = str(obj.get("errorDescription") or err or "")
    return (str(code) if code is not None else "?"), text
