"""Two questions about a mass SMS asked before it goes anywhere: does a civisms adapter
serve its provider row, and why is a given contact not among its recipients?"""

from __future__ import annotations

from civisms.civicrm.base import CiviCRM
from civisms.civicrm.mailing_model import Mailing
from civisms.civicrm.mailing_recipients import RecipientReport
from civisms.recipients import choose_recipients
from civisms.sending import resolve


def ensure_served(civicrm: CiviCRM, mailing: Mailing) -> None:
    """A mailing whose provider row has no civisms adapter is refused before it is queued
    (else the job runner could only pause it later)."""
    for row in civicrm.sms_providers(include_inactive=True):
        if row.id == mailing.sms_provider_id:
            resolve.served(row)


def why_not_texted(civicrm: CiviCRM, settings: object, chosen: int | None,
                   rows: list[tuple[int, int | None]],
                   report: RecipientReport | None) -> str | None:
    """None when ``chosen`` is among the recipients; else why not: the reason the draft's
    computation gave, or (a scheduled mailing) the contact-level rules as they stand now."""
    if chosen is None or any(contact_id == chosen for contact_id, _ in rows):
        return None
    if report is not None:
        skips = [s for s in report.skipped if s.contact_id == chosen]
    else:
        contacts = civicrm.contacts([chosen], [])
        region = getattr(settings, "default_region", None)
        skips = list(choose_recipients([chosen], contacts, region=region, bulk=True).skipped)
    if skips:
        return skips[0].reason.value + (f" ({skips[0].detail})" if skips[0].detail else "")
    if report is not None:
        return "not in the mailing's include groups or mailings"
    return "not among the recipients recorded when the mailing was scheduled"
