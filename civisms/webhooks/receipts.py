"""Delivery receipts into CiviCRM: the ``SMS delivery`` activity moves, once, forwards only.

A receipt's status becomes the activity's (COMPAT-style, as CiviCRM's Clickatell extension
does): accepted, queued or sent → ``Scheduled``; delivered → ``Completed``; undelivered or
failed → ``Cancelled``, with the gateway's status and error code in ``location``. A failed
mass SMS also gets a bounce row (db backend), so CiviCRM's mailing report counts it. A
receipt whose error means "this person opted out" (Twilio 21610, Clickatell status 21)
sets ``do_not_sms`` on the message's recipient, as a STOP does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from civisms.civicrm.base import CiviCRM
from civisms.model import RECEIPT_RANKS, ReceiptResult, ReceiptUpdate
from civisms.providers.base import DeliveryReceipt, DeliveryStatus

log = logging.getLogger(__name__)
S = DeliveryStatus

#: Where each status stands: a receipt only ever moves a message to a higher rank.
RANK: dict[DeliveryStatus, int] = {S(name): rank for name, rank in RECEIPT_RANKS.items()}
#: The ``SMS delivery`` activity's status for each.
ACTIVITY_STATUS: dict[DeliveryStatus, str] = {
    S.ACCEPTED: "Scheduled", S.QUEUED: "Scheduled", S.SENT: "Scheduled",
    S.DELIVERED: "Completed", S.UNDELIVERED: "Cancelled", S.FAILED: "Cancelled",
}


def location_text(receipt: DeliveryReceipt) -> str:
    """``undelivered (undelivered, error 30003)``: civisms' word first, then the gateway's."""
    details = [d for d in (receipt.provider_status,
                           f"error {receipt.error_code}" if receipt.error_code else None) if d]
    return f"{receipt.status.value} ({', '.join(details)})" if details else receipt.status.value


def receipt_update(provider_id: int, receipt: DeliveryReceipt) -> ReceiptUpdate | None:
    """What to write for ``receipt`` (None for an unknown status: nothing to move)."""
    if receipt.status not in RANK:
        return None
    bounce = None
    if receipt.status in (S.UNDELIVERED, S.FAILED):
        bounce = "Spam" if receipt.opted_out else "Invalid"
    return ReceiptUpdate(
        provider_id=provider_id, message_id=receipt.message_id[:255],
        status=receipt.status.value, rank=RANK[receipt.status],
        activity_status=ACTIVITY_STATUS[receipt.status], location=location_text(receipt),
        provider_status=receipt.provider_status, error_code=receipt.error_code, bounce=bounce,
        opted_out=receipt.opted_out,
    )


def record_receipt(civicrm: CiviCRM, provider_id: int, receipt: DeliveryReceipt,
                   apply: Callable[[ReceiptUpdate], ReceiptResult] | None = None) -> str:
    """Write one receipt; return the outcome (``updated``, ``unchanged``, ``unmatched``,
    ``ignored`` for a status civisms does not know). ``apply`` writes it (default: the
    backend's ``apply_receipt``; the service batches)."""
    update = receipt_update(provider_id, receipt)
    if update is None:
        log.info("receipt for %s on provider %s: status %r unknown, ignored",
                 receipt.message_id, provider_id, receipt.provider_status)
        return "ignored"
    result = (apply or civicrm.apply_receipt)(update)
    if result.outcome == "unmatched":
        log.info("receipt for %s on provider %s: no SMS delivery activity has that id (yet)",
                 receipt.message_id, provider_id)
    if result.outcome == "updated" and receipt.opted_out and result.contact_ids:
        changed = civicrm.set_do_not_sms(result.contact_ids, True)
        if changed:
            log.info("receipt %s says the recipient opted out: do_not_sms set on %s",
                     receipt.message_id, changed)
    return result.outcome
