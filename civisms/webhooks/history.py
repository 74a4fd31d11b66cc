"""What gateways kept: past receipts and replies, asked of each gateway's own API.

Only Twilio keeps both and lists them (``GET .../Messages.json``, filtered by date, paged
by ``next_page_uri``). Vonage's SMS API and Kannel/Jasmin keep nothing one can list;
Clickatell answers for one message id at a time only. ``HISTORIES`` maps an adapter's key
to its reader; the others are reported as not supported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from civisms.errors import FatalProviderError
from civisms.providers.base import (
    DeliveryReceipt,
    InboundMessage,
    Provider,
    WebhookEvent,
    map_status,
)

#: Pages read at most per run (1,000 messages each).
MAX_PAGES = 200


def twilio_history(provider: Provider, since: date) -> Iterator[WebhookEvent]:
    """Twilio's Messages list since ``since``: outbound ones as receipts, inbound as replies."""
    from civisms.providers.twilio import STATUSES, TwilioProvider

    assert isinstance(provider, TwilioProvider)
    auth = (provider.config.username or "", provider.config.password or "")
    parts = urlsplit(provider.url)
    origin = f"{parts.scheme}://{parts.netloc}"
    url: str | None = provider.url
    params: dict[str, str] | None = {"DateSent>": since.isoformat(), "PageSize": "1000"}
    for _ in range(MAX_PAGES):
        if url is None:
            return
        resp = provider.http.request("GET", url, params=params, auth=auth)
        body = _json(resp.body)
        if resp.status >= 400 or not isinstance(body, dict):
            raise FatalProviderError(
                f"Twilio ({provider.config.title}): listing messages failed with HTTP "
                f"{resp.status}: {provider.scrub(resp.text[:200])}")
        for m in body.get("messages") or []:
            event = _twilio_event(provider.key, m, STATUSES)
            if event is not None:
                yield event
        next_page = body.get("next_page_uri")
        url, params = (origin + next_page if next_page else None), None


def _twilio_event(key: str, m: dict[str, Any], statuses: Any) -> WebhookEvent | None:
    sid, direction = m.get("sid"), str(m.get("direction") or "")
    if not sid:
        return None
    if direction == "inbound":
        return InboundMessage(provider=key, sender=str(m.get("from") or ""),
                              text=str(m.get("body") or ""), to=m.get("to"), message_id=sid,
                              timestamp=m.get("date_sent"), raw=m)
    error = m.get("error_code")
    return DeliveryReceipt(
        provider=key, message_id=sid, status=map_status(statuses, m.get("status")),
        provider_status=m.get("status"), error_code=str(error) if error else None,
        to=m.get("to"), sender=m.get("from"), timestamp=m.get("date_updated"),
        opted_out=str(error) == "21610", raw=m)


def _json(body: bytes) -> Any:
    import json

    try:
        return json.loads(body)
    except ValueError:
        return None


HISTORIES: dict[str, Callable[[Provider, date], Iterator[WebhookEvent]]] = {
    "twilio": twilio_history,
}

#: Why a gateway cannot be asked, for the report.
UNSUPPORTED: dict[str, str] = {
    "vonage": "Vonage's SMS API keeps no message list to ask (receipts come by webhook only)",
    "clickatell": "Clickatell answers one message id at a time only; not asked",
    "kannel": "Kannel keeps no history",
    "jasmin": "Jasmin keeps no history",
    "local": "the local outbox is its own history",
}
