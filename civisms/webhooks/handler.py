"""One webhook request, whatever the gateway: verify → parse → record → answer.

``handle`` is what the HTTP routes call (in a worker thread): a request that fails its
provider's ``verify_webhook`` raises ``WebhookRejected`` before anything is read or
written; events the parser does not recognize are acknowledged and logged; any error
while recording propagates, so the route answers 5xx and the gateway retries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from civisms.civicrm.base import CiviCRM
from civisms.config import Settings
from civisms.errors import CivismsError, ProviderError
from civisms.model import Activity, ReceiptResult, ReceiptUpdate
from civisms.providers.base import (
    DeliveryReceipt,
    InboundMessage,
    OutboundMessage,
    Provider,
    WebhookRequest,
)
from civisms.webhooks.inbound import InboundResult, record_inbound
from civisms.webhooks.keywords import Keywords
from civisms.webhooks.receipts import record_receipt

log = logging.getLogger(__name__)

#: Gateways that answer STOP/START/HELP themselves (Twilio's Advanced Opt-Out): civisms
#: does not answer a second time unless the row says ``keyword_replies=1``.
SELF_ANSWERING = frozenset({"twilio"})


class WebhookRejected(CivismsError):
    """The request did not prove it comes from the gateway (signature or token)."""


@dataclass
class Handled:
    """What one request did: the answer for the gateway and each event's outcome."""

    status: int
    body: str
    content_type: str
    outcomes: list[tuple[str, str]] = field(default_factory=list)  # (event kind, outcome)
    answers: list[str] = field(default_factory=list)  # outcomes of keyword answers sent


def handle(civicrm: CiviCRM, settings: Settings, keywords: Keywords, provider: Provider,
           provider_id: int, request: WebhookRequest,
           apply: Callable[[ReceiptUpdate], ReceiptResult] | None = None) -> Handled:
    """Run one webhook request through ``provider`` and into CiviCRM (``apply`` writes
    receipts, default the backend's ``apply_receipt``)."""
    if not provider.verify_webhook(request):
        raise WebhookRejected(f"provider {provider_id}: bad or missing signature or token")
    events = provider.parse_webhook(request)
    status, body, content_type = provider.webhook_reply(events)
    handled = Handled(status, body, content_type)
    if not events:
        log.info("provider %s: a request with no receipt or reply in it, acknowledged",
                 provider_id)
        handled.outcomes.append(("unknown", "ignored"))
    for event in events:
        if isinstance(event, DeliveryReceipt):
            handled.outcomes.append(
                ("receipt", record_receipt(civicrm, provider_id, event, apply)))
        elif isinstance(event, InboundMessage):
            result = record_inbound(civicrm, settings, keywords, provider_id, event)
            handled.outcomes.append(("inbound", result.outcome))
            answer = answer_keyword(civicrm, keywords, provider, result)
            if answer:
                handled.answers.append(answer)
    return handled


def answers_keywords(provider: Provider) -> bool:
    """Whether civisms answers STOP/START/HELP on this row (``keyword_replies=0|1``)."""
    value = provider.config.params.get("keyword_replies")
    if value is not None and value.strip() != "":
        return value.strip().lower() in ("1", "yes", "true", "on")
    return provider.key not in SELF_ANSWERING


def answer_keyword(civicrm: CiviCRM, keywords: Keywords, provider: Provider,
                   result: InboundResult) -> str | None:
    """Send the configured answer to a keyword reply, once; return ``sent`` or ``failed``.

    Only a reply recorded now is answered (a retried webhook is a duplicate, so the answer
    is never sent twice). The answer gets its ``SMS delivery`` activity, as any SMS civisms
    sends, so its receipt finds it.
    """
    if result.outcome != "recorded" or result.keyword is None or not result.sender:
        return None
    text = keywords.replies.get(result.keyword, "")
    if not text or not answers_keywords(provider):
        return None
    try:
        sent = provider.send(OutboundMessage(to=result.sender, text=text))
    except ProviderError as exc:
        log.warning("answer to %s through provider %s failed: %s", result.keyword.name,
                    provider.config.id, provider.scrub(str(exc)))
        return "failed"
    domain_contact = civicrm.domain().contact_id
    civicrm.create_activity(Activity(
        activity_type="SMS delivery", source_contact_id=domain_contact, status="Completed",
        subject=f"Answer to {result.keyword.name}", details=text,
        targets=result.contact_ids, result=sent.message_id, phone_number=result.sender))
    return "sent"
