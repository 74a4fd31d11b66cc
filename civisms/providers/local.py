"""The local provider: a real outbox, no network (ARCHITECTURE convention 13).

Every message is recorded, as one JSON line in a file (``Settings.outbox``, default
``var/outbox.jsonl``) or in memory, and the provider can simulate what a gateway sends
back: delivery receipts and replies, as ``WebhookRequest`` objects its own
``parse_webhook`` reads, the same road real webhooks take. It is the default for the demo
and the tests, and the model for plug-in authors.

Row (extension key ``org.civisms.local``), ``api_params``:

* ``outbox=name.jsonl`` or ``outbox=:memory:`` (default: ``Settings.outbox``); a row may
  only name a file inside the folder of ``Settings.outbox`` (whoever edits provider rows
  in CiviCRM must not make civisms append to any file of the host). The outbox holds
  numbers and texts: it is created readable by its owner only (0600);
* ``from=+15550000001|+15550000002`` sender pool (sticky per recipient);
* ``auto_receipt=delivered`` (or ``undelivered``, ``failed``...) records a receipt for
  every message at once;
* ``invalid_numbers=+1555...|...`` and ``opted_out_numbers=...`` fail those recipients
  the way a gateway would (``RecipientError``, ``opted_out`` for the second);
* ``webhook_token=...`` makes ``verify_webhook`` demand it (without it, any request
  passes: the local provider's webhooks are for the demo and tests, not the internet).
"""

from __future__ import annotations

import json
import os
import re
import stat
import threading
import uuid
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from civisms.errors import ConfigError, FatalProviderError, RecipientError
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
    map_status,
    split_pool,
)
from civisms.providers.http import token_matches

#: The outbox speaks civisms' own status names.
STATUSES: dict[str, DeliveryStatus] = {s.value: s for s in DeliveryStatus}
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MEMORY = ":memory:"


class LocalProvider(Provider):
    """An outbox that records every message and can play the gateway's part back."""

    key = "local"
    extension_keys = ("org.civisms.local",)
    default_url = "http://localhost/civisms/webhooks/local"  # only names simulated webhooks
    default_mps = 1000.0
    sender_param = "from"

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        target = config.full_param("outbox")
        default = config.outbox
        self.path: Path | None = default
        if target == MEMORY or (target is None and default is None):
            self.path = None
        elif target is not None:
            self.path = _inside_folder(target, (default or DEFAULT_OUTBOX).parent)
        self.memory: list[dict[str, Any]] = []
        self.invalid = frozenset(split_pool(config.params.get("invalid_numbers")))
        self.opted_out = frozenset(split_pool(config.params.get("opted_out_numbers")))
        auto = config.params.get("auto_receipt", "").lower()
        self.auto_receipt = STATUSES.get(auto) if auto not in ("", "none", "0") else None
        self._lock = threading.Lock()
        self._file: IO[str] | None = None

    # -- sending --

    def send(self, message: OutboundMessage) -> SendResult:
        """Record the message; refuse the numbers the row says to refuse."""
        if message.to in self.opted_out:
            raise RecipientError(f"local ({self.config.title}): {message.to} opted out",
                                 code="opted_out", opted_out=True)
        if message.to in self.invalid or not _E164.match(message.to):
            raise RecipientError(f"local ({self.config.title}): invalid number {message.to!r}",
                                 code="invalid_number")
        message_id = f"local-{uuid.uuid4().hex}"
        sender = self.sender_for(message)
        self._record({
            "event": "sent", "id": message_id, "to": message.to, "from": sender,
            "text": message.text, "segments": message.segments,
            "contact_id": message.contact_id, "client_ref": message.client_ref,
            "provider_id": self.config.id,
        })
        if self.auto_receipt is not None:
            self._record({"event": "receipt", "id": message_id, "status": self.auto_receipt.value,
                          "to": message.to, "client_ref": message.client_ref})
        return SendResult(provider=self.key, message_id=message_id,
                          status=DeliveryStatus.ACCEPTED, to=message.to, sender=sender,
                          segments=message.segments)

    def _record(self, record: dict[str, Any]) -> None:
        record["at"] = datetime.now(UTC).isoformat(timespec="milliseconds")
        line = json.dumps(record, ensure_ascii=False)
        with self._lock:
            if self.path is None:
                self.memory.append(record)
                return
            try:
                if self._file is None:
                    self._file = _open_private(self.path)
                self._file.write(line + "\n")
                self._file.flush()
            except OSError as exc:
                # The outbox is this provider's gateway: unwritable means stop the run.
                raise FatalProviderError(
                    f"local ({self.config.title}): cannot write the outbox {self.path}: "
                    f"{exc.strerror or exc}", code="outbox") from exc

    def records(self, event: str | None = None) -> list[dict[str, Any]]:
        """Everything recorded (``event``: ``sent``, ``receipt`` or ``inbound`` only)."""
        with self._lock:
            if self.path is None:
                found = list(self.memory)
            elif not self.path.exists():
                found = []
            else:
                with self.path.open(encoding="utf-8") as handle:
                    found = [json.loads(line) for line in handle if line.strip()]
        return [r for r in found if event is None or r.get("event") == event]

    def sent(self) -> list[dict[str, Any]]:
        """The messages sent, oldest first."""
        return self.records("sent")

    # -- simulating the gateway --

    def simulate_receipt(self, message_id: str, status: DeliveryStatus | str = "delivered"
                         ) -> WebhookRequest:
        """Record a delivery receipt and return the webhook request a gateway would make."""
        value = DeliveryStatus(status).value
        payload = {"type": "receipt", "id": message_id, "status": value}
        self._record({"event": "receipt", "id": message_id, "status": value})
        return self._webhook(payload)

    def simulate_reply(self, sender: str, text: str, to: str | None = None) -> WebhookRequest:
        """Record an inbound message (a reply, a STOP ...) and return its webhook request."""
        to = to or (self.config.senders[0] if self.config.senders else None)
        payload = {"type": "inbound", "id": f"local-in-{uuid.uuid4().hex}", "from": sender,
                   "to": to, "text": text}
        self._record({"event": "inbound", **{k: v for k, v in payload.items() if k != "type"}})
        return self._webhook(payload)

    def _webhook(self, payload: dict[str, Any]) -> WebhookRequest:
        url = self.config.base_url
        if self.config.webhook_token:
            url += ("&" if "?" in url else "?") + f"civisms_token={self.config.webhook_token}"
        return WebhookRequest("POST", url, {"Content-Type": "application/json"},
                              json.dumps(payload).encode())

    # -- webhooks --

    def verify_webhook(self, request: WebhookRequest) -> bool:
        """The ``webhook_token`` when the row has one; any request otherwise."""
        if not self.config.webhook_token:
            return True
        return token_matches(request, self.config.webhook_token)

    def parse_webhook(self, request: WebhookRequest) -> list[WebhookEvent]:
        """The simulated receipts and replies (JSON, or the same keys as a form)."""
        p = request.params()
        kind = p.get("type")
        if kind == "receipt" and p.get("id"):
            return [DeliveryReceipt(provider=self.key, message_id=p["id"],
                                    status=map_status(STATUSES, p.get("status")),
                                    provider_status=p.get("status"), raw=p)]
        if kind == "inbound" and p.get("from"):
            return [InboundMessage(provider=self.key, sender=p["from"], text=p.get("text", ""),
                                   to=p.get("to"), message_id=p.get("id"), raw=p)]
        return []

    def close(self) -> None:
        """Close the outbox file."""
        with self._lock:
            if self._file is not None:
                with suppress(OSError):  # a full disk was reported when writing
                    self._file.close()
                self._file = None


#: ``Settings.outbox``'s default, whose folder bounds a row's ``outbox=`` without settings.
DEFAULT_OUTBOX = Path("var/outbox.jsonl")


def _inside_folder(target: str, folder: Path) -> Path:
    """The row's ``outbox=`` as a path inside ``folder`` (relative names are taken there)."""
    path = Path(target).expanduser()
    if not path.is_absolute():
        path = folder / path
    base = folder.resolve()
    try:
        path.resolve().relative_to(base)
    except ValueError:
        raise ConfigError("outbox", repr(target), f"a file inside {folder} (the folder of "
                          "CIVISMS_OUTBOX), or :memory:") from None
    return path


def _open_private(path: Path) -> IO[str]:
    """Open the outbox for appending; created readable by its owner only."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # a device or a FIFO named by the settings
        os.close(fd)
        raise OSError(f"{path} is not a regular file")
    return os.fdopen(fd, "a", encoding="utf-8")
