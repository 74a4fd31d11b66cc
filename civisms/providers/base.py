"""The provider interface: value objects, the ``Provider`` base class and shared helpers.

A provider is one module, one class, three verbs (ARCHITECTURE convention 1): ``send``,
``verify_webhook``, ``parse_webhook``. Statuses are normalized at the edge and the raw
payload is kept (convention 3); gateway status tables are plain dicts (convention 4).
"""

from __future__ import annotations

import abc
import base64
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

from civisms.civicrm.params import raw_api_param
from civisms.errors import ConfigError
from civisms.model import SmsProvider
from civisms.redact import secret_forms
from civisms.text.segments import Cut


class DeliveryStatus(StrEnum):
    """Where a message is, normalized across gateways. Accepted is not delivered."""

    ACCEPTED = "accepted"  # the gateway took the request; nothing handed to a carrier yet
    QUEUED = "queued"  # waiting in the gateway's or SMSC's queue for a carrier
    SENT = "sent"  # handed to the carrier / SMSC; the handset has not confirmed
    DELIVERED = "delivered"  # the handset confirmed receipt
    UNDELIVERED = "undelivered"  # the carrier tried and gave up (expired, unreachable ...)
    FAILED = "failed"  # refused before reaching a carrier (rejected, no route, no credit)
    UNKNOWN = "unknown"  # not reported, or a status we do not know

    @property
    def is_final(self) -> bool:
        """True when no later receipt should change it."""
        return self in (DeliveryStatus.DELIVERED, DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED)


def map_status(table: Mapping[str, DeliveryStatus], value: object) -> DeliveryStatus:
    """Look a gateway status up in ``table`` (case-insensitive); unknown → UNKNOWN."""
    if value is None:
        return DeliveryStatus.UNKNOWN
    return table.get(str(value).strip().lower(), DeliveryStatus.UNKNOWN)


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One SMS to one recipient. ``to`` is E.164 (``+33612345678``).

    ``sender`` overrides the provider's sender pool; ``client_ref`` is echoed back in
    receipts by the gateways that support it; ``segments`` is what the throttle charges.
    """

    to: str
    text: str
    sender: str | None = None
    contact_id: int | None = None
    client_ref: str | None = None
    segments: int = 1


@dataclass(frozen=True, slots=True)
class SendResult:
    """What the gateway said when it took a message."""

    provider: str
    message_id: str | None
    status: DeliveryStatus
    to: str
    sender: str | None = None
    segments: int | None = None
    price: Decimal | None = None
    currency: str | None = None
    part_ids: tuple[str, ...] = ()
    raw: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The adapter boundary: whatever shape a gateway gave, what civisms records fits
        # CiviCRM's columns (a message the gateway took must always be recorded).
        set_ = object.__setattr__
        set_(self, "message_id", gateway_id(self.message_id))
        set_(self, "part_ids", tuple(i for i in map(gateway_id, self.part_ids) if i))
        set_(self, "segments", count_or_none(self.segments))
        set_(self, "sender", gateway_id(self.sender, 64))
        set_(self, "currency", gateway_id(self.currency, 16))


#: CiviCRM's ``civicrm_activity.result`` and civisms' ``provider_message_id`` columns.
ID_LENGTH = 255


def gateway_id(value: object, limit: int = ID_LENGTH) -> str | None:
    """A gateway's message id (or other short value) as text that fits a column: lists and
    objects as JSON, numbers as written, at most ``limit`` characters, valid UTF-8."""
    if value is None or value == "":
        return None
    if isinstance(value, (list, tuple, dict)):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    else:
        text = str(value)
    text = text.encode("utf-8", "replace").decode("utf-8")[:limit]
    return text or None


def count_or_none(value: object) -> int | None:
    """A segment count from a gateway's answer: a positive whole number, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip()[:6])
    else:
        return None
    return number if 0 < number < 1000 else None


@dataclass(frozen=True, slots=True)
class DeliveryReceipt:
    """A delivery report for a message we sent, matched later by ``message_id``."""

    provider: str
    message_id: str
    status: DeliveryStatus
    provider_status: str | None = None
    error_code: str | None = None
    to: str | None = None
    sender: str | None = None
    client_ref: str | None = None
    timestamp: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    opted_out: bool = False
    raw: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Matched against what SendResult recorded: the same shape rules apply.
        object.__setattr__(self, "message_id", gateway_id(self.message_id) or "")


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """An SMS a person sent to one of our numbers."""

    provider: str
    sender: str
    text: str
    to: str | None = None
    message_id: str | None = None
    timestamp: str | None = None
    segments: int | None = None
    media_urls: tuple[str, ...] = ()
    raw: Any = field(default=None, repr=False, compare=False)


WebhookEvent = DeliveryReceipt | InboundMessage


@dataclass(frozen=True)
class WebhookRequest:
    """An HTTP request a gateway made to us, framework-independent.

    ``url`` is the full public URL the gateway called (scheme, host, path, query): behind
    a proxy the caller must rebuild it, because Twilio signs it. Header names are matched
    case-insensitively.
    """

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """A header value by case-insensitive name."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None

    @property
    def query(self) -> dict[str, list[str]]:
        """Query-string parameters (every value of each)."""
        return parse_qs(urlsplit(self.url).query, keep_blank_values=True)

    @property
    def form(self) -> dict[str, list[str]]:
        """Form-encoded body parameters; empty unless the body is a form."""
        ctype = (self.header("Content-Type") or "").lower()
        if "application/x-www-form-urlencoded" not in ctype or not self.body:
            return {}
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def param_bytes(self, name: str) -> bytes | None:
        """A form or query parameter as raw bytes, for texts in another charset (UTF-16BE).

        Decoding through Latin-1 maps each byte to one character and back, losslessly.
        """
        sources = [urlsplit(self.url).query]
        if self.form:
            sources.insert(0, self.body.decode("latin-1"))
        for source in sources:
            values = parse_qs(source, keep_blank_values=True, encoding="latin-1").get(name)
            if values:
                return values[0].encode("latin-1")
        return None

    def json(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return None

    def params(self) -> dict[str, str]:
        """Query, form and JSON-object parameters merged (first value of each; body wins)."""
        merged = {k: v[0] for k, v in self.query.items()}
        merged.update({k: v[0] for k, v in self.form.items()})
        data = self.json()
        if isinstance(data, dict):
            merged.update({k: v for k, v in data.items() if isinstance(v, str | int | float)})
        return {k: str(v) for k, v in merged.items()}

    def basic_auth_password(self) -> str | None:
        """The password of an HTTP Basic ``Authorization`` header, if any."""
        auth = self.header("Authorization") or ""
        if not auth.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(auth[6:].strip()).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2]


# -- configuration ----------------------------------------------------------------------

#: ``api_params`` keys whose values are secrets (masked wherever they are shown).
SECRET_PARAM_KEYS = frozenset({
    "api_key", "api_secret", "api_id", "apikey", "password", "secret", "signature_secret",
    "webhook_token", "token", "auth_token", "webhook_shared_key",
})
_SECRET_WORDS = ("pass", "secret", "token", "key", "auth", "sig")


def is_secret_param(key: str) -> bool:
    """True for an ``api_params`` key whose value must never be shown."""
    lowered = key.lower()
    return lowered in SECRET_PARAM_KEYS or any(word in lowered for word in _SECRET_WORDS)


@dataclass(frozen=True)
class ProviderConfig:
    """A provider row turned into what an adapter needs; ``password`` never shown."""

    id: int | None
    title: str
    extension_key: str
    username: str | None
    password: str | None = field(repr=False)
    base_url: str
    params: Mapping[str, str] = field(repr=False)
    senders: tuple[str, ...]
    mps: float
    timeout: float
    outbox: Path | None = None
    api_params_raw: str | None = field(default=None, repr=False)
    public_url: str | None = None

    def webhook_url(self, kind: str, *, token: bool = True) -> str | None:
        """``{CIVISMS_PUBLIC_URL}/webhooks/{id}/{kind}`` (``status`` or ``inbound``), with
        the row's ``webhook_token`` as ``civisms_token`` when it has one (and ``token``);
        None without a public URL."""
        if not self.public_url or self.id is None:
            return None
        url = f"{self.public_url.rstrip('/')}/webhooks/{self.id}/{kind}"
        secret = self.webhook_token if token else None
        return f"{url}?{urlencode({'civisms_token': secret})}" if secret else url

    @property
    def webhook_token(self) -> str | None:
        """The shared secret gateways without signatures must send back (``webhook_token``)."""
        return self.full_param("webhook_token")

    def full_param(self, key: str) -> str | None:
        """An ``api_params`` value read whole, for URLs and secrets that may contain ``=``.

        CiviCRM's parser cuts a value at its second ``=`` (``StatusCallback=https://h/?a=1``
        would lose ``=1``); civisms-only keys are read from the raw text when we have it.
        """
        whole = raw_api_param(self.api_params_raw, key)
        value = whole if whole is not None else self.params.get(key)
        return value or None

    def secrets(self) -> tuple[str, ...]:
        """Every secret value of the row, to scrub from any text we show."""
        values = [self.password or ""]
        for key, value in self.params.items():
            # A flag such as use_auth=1 is no secret: masking every "1" would garble texts.
            if key.lower() in SECRET_PARAM_KEYS or (is_secret_param(key) and len(value) > 3):
                values += [value, self.full_param(key) or ""]
        # Every length (short ones are masked where they stand alone), every form a gateway
        # may echo: URL-encoded, base64, base64 "user:secret" (an echoed Authorization).
        return secret_forms(values, [self.username or "", *values])


def split_pool(value: str | None) -> tuple[str, ...]:
    """Sender numbers from ``From=a|b|c`` (the Twilio extension's separator; also ``,``)."""
    if not value:
        return ()
    parts = value.replace(",", "|").split("|")
    return tuple(p.strip() for p in parts if p.strip())


def sticky_choice(pool: tuple[str, ...], recipient: str) -> str | None:
    """The pool member for ``recipient``: always the same one for the same number.

    The Twilio extension picks at random (PROVIDERS §1.1, CRM-21138); a stable choice keeps
    a conversation on one number so replies and STOPs reach the right sender. sha256, not
    ``hash()``, because Python salts string hashes per process.
    """
    if not pool:
        return None
    if len(pool) == 1:
        return pool[0]
    digits = "".join(c for c in recipient if c.isdigit())
    digest = hashlib.sha256(digits.encode("ascii")).digest()
    return pool[int.from_bytes(digest[:8], "big") % len(pool)]


def param_ci(params: Mapping[str, str], key: str) -> str | None:
    """``params[key]``, else the first key equal to it ignoring case (``From`` / ``from``).

    Sites copy the Twilio extension's ``From=`` into other rows; accept either spelling.
    """
    if key in params:
        return params[key]
    wanted = key.lower()
    return next((v for k, v in params.items() if k.lower() == wanted), None)


#: What each civisms tuning parameter may be: beyond these, a typo (``1e300`` seconds,
#: ``inf`` connections), never a setting.
PARAM_RANGES: dict[str, tuple[float, float]] = {
    "civisms_mps": (0.001, 1_000_000.0),
    "civisms_timeout": (0.1, 3600.0),
    "civisms_pool": (1.0, 1024.0),
}


def parse_float(params: Mapping[str, str], key: str, default: float) -> float:
    """A positive number from ``api_params`` (within ``PARAM_RANGES`` for civisms' own
    keys); ``ConfigError`` naming the key otherwise."""
    raw = params.get(key)
    if raw is None or raw == "":
        return default
    low, high = PARAM_RANGES.get(key, (0.0, math.inf))
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0 and low <= value <= high):
        expected = (f"a number from {low:g} to {high:g}" if key in PARAM_RANGES
                    else "a positive number")
        raise ConfigError(f"api_params {key}", repr(raw[:40]), expected)
    return value


def to_decimal(value: object) -> Decimal | None:
    """A price as Decimal, or None when absent or unreadable."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def digits_only(number: str) -> str:
    """``+33 6 12`` → ``33612``: the international format most HTTP gateways want."""
    return "".join(c for c in number if c.isdigit())


# -- the interface ----------------------------------------------------------------------


class Provider(abc.ABC):
    """An SMS gateway adapter configured from one ``civicrm_sms_provider`` row.

    Subclasses set ``key`` (the entry-point name), ``extension_keys`` (values of
    ``civicrm_sms_provider.name`` they serve), ``default_url`` and ``default_mps``, read
    their own ``api_params`` in ``__init__`` and raise ``ConfigError`` when the row
    cannot work. Constructing a provider never touches the network.
    """

    key: ClassVar[str] = ""
    extension_keys: ClassVar[tuple[str, ...]] = ()
    default_url: ClassVar[str] = ""
    #: Segments per second when the row does not say (PROVIDERS §5).
    default_mps: ClassVar[float] = 1.0
    default_timeout: ClassVar[float] = 30.0
    #: ``api_params`` key holding the sender pool.
    sender_param: ClassVar[str] = "from"
    #: How the gateway cuts a long UCS-2 text, for ``segment(text, cut=...)``.
    segment_cut: ClassVar[Cut] = "grapheme"

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    @classmethod
    def from_row(cls, row: SmsProvider, *, outbox: Path | None = None,
                 public_url: str | None = None) -> Provider:
        """Build the adapter for a provider row (``outbox``: the local provider's default;
        ``public_url``: ``CIVISMS_PUBLIC_URL``, where gateways send receipts)."""
        params = dict(row.api_params)
        config = ProviderConfig(
            id=row.id,
            title=row.title,
            extension_key=row.name,
            username=row.username or None,
            password=row.password or None,
            base_url=(row.api_url or "").strip() or cls.default_url,
            params=params,
            senders=split_pool(param_ci(params, cls.sender_param)),
            mps=parse_float(params, "civisms_mps", cls.default_mps),
            timeout=parse_float(params, "civisms_timeout", cls.default_timeout),
            outbox=outbox,
            api_params_raw=row.api_params_raw,
            public_url=public_url,
        )
        return cls(config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.config.id}: {self.config.title!r}>"

    # -- the three verbs --

    @abc.abstractmethod
    def send(self, message: OutboundMessage) -> SendResult:
        """Send one message. Raises a ``ProviderError`` subclass on any failure."""

    @abc.abstractmethod
    def verify_webhook(self, request: WebhookRequest) -> bool:
        """True when the request provably comes from the gateway (constant-time checks)."""

    @abc.abstractmethod
    def parse_webhook(self, request: WebhookRequest) -> list[WebhookEvent]:
        """Delivery receipts and inbound messages in a (verified) webhook request.

        An unrecognized request yields ``[]``, never an exception.
        """

    def webhook_reply(self, events: list[WebhookEvent]) -> tuple[int, str, str]:
        """Status, body and content type to answer the gateway with."""
        return 200, "", "text/plain"

    # -- shared helpers --

    @property
    def mps(self) -> float:
        """The rate limit, in segments per second."""
        return self.config.mps

    @property
    def senders(self) -> tuple[str, ...]:
        """The sender pool (may be empty when the gateway picks, e.g. a Messaging Service)."""
        return self.config.senders

    def sender_for(self, message: OutboundMessage) -> str | None:
        """The message's own sender, else the pool member sticky to its recipient."""
        return message.sender or sticky_choice(self.config.senders, message.to)

    def scrub(self, text: str) -> str:
        """``text`` without any of this provider's secrets."""
        from civisms.providers.http import scrub

        return scrub(text, self.config.secrets())

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections and files."""
