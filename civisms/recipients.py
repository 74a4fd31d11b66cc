"""Who gets an SMS: mobile choice, E.164 numbers, CiviCRM's exclusions, duplicates.

Every contact that is not texted comes back as a ``Skipped`` with a reason code, so a
user always learns why. The rules follow CiviCRM (COMPAT §2.2 for individual sends,
§3.3 for mass SMS) with two documented improvements: the *primary* mobile is used
(CiviCRM's individual form texts a non-primary one), and a number shared by several
contacts is texted once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers

from civisms.model import Contact, Phone


class SkipReason(StrEnum):
    """Why a contact gets no SMS."""

    NOT_FOUND = "not_found"  # no contact with that id on the site
    DELETED = "deleted"  # in CiviCRM's trash
    DECEASED = "deceased"
    DO_NOT_SMS = "do_not_sms"  # "Do not SMS" communication preference
    OPT_OUT = "opt_out"  # "No bulk emails (User Opt Out)": blocks mass SMS only
    NO_MOBILE = "no_mobile"  # no phone of type Mobile with digits in it
    INVALID_NUMBER = "invalid_number"  # the mobile is not a valid phone number
    DUPLICATE_NUMBER = "duplicate_number"  # another recipient already gets this number


@dataclass(frozen=True, slots=True)
class Recipient:
    """A contact who will be texted, on one number."""

    contact: Contact
    phone: Phone
    e164: str

    @property
    def contact_id(self) -> int:
        return self.contact.id


@dataclass(frozen=True, slots=True)
class Skipped:
    """A contact who will not be texted, and why."""

    contact_id: int
    reason: SkipReason
    detail: str = ""


@dataclass(frozen=True, slots=True)
class RecipientList:
    """The outcome of choosing recipients: who gets it, who does not and why."""

    recipients: tuple[Recipient, ...]
    skipped: tuple[Skipped, ...]

    def skipped_by_reason(self) -> dict[str, int]:
        """Count of skipped contacts per reason code."""
        counts: dict[str, int] = {}
        for skip in self.skipped:
            counts[skip.reason.value] = counts.get(skip.reason.value, 0) + 1
        return counts


def to_e164(number: str, region: str | None) -> str | None:
    """The number in E.164, or None when it is not a valid phone number.

    Without ``+`` the number is read in ``region`` (``CIVISMS_DEFAULT_REGION``); with no
    region, digits alone are read as an international number, as gateways read CiviCRM's
    ``phone_numeric``.
    """
    text = number.strip()
    if not text:
        return None
    attempts: list[tuple[str, str | None]] = [(text, region)]
    if region is None and not text.startswith("+"):
        attempts = [("+" + "".join(ch for ch in text if ch.isdigit()), None)]
    for candidate, candidate_region in attempts:
        try:
            parsed = phonenumbers.parse(candidate, candidate_region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return None


def best_mobile(contact: Contact) -> Phone | None:
    """The contact's primary mobile, else its lowest-id mobile; only phones with digits."""
    for phone in contact.mobiles:
        if phone.phone_numeric and phone.phone_numeric.strip("0"):
            return phone
    return None


def exclusion(contact: Contact, *, bulk: bool) -> SkipReason | None:
    """CiviCRM's contact-level exclusions; ``is_opt_out`` only blocks bulk (mass) SMS."""
    if contact.is_deleted:
        return SkipReason.DELETED
    if contact.is_deceased:
        return SkipReason.DECEASED
    if contact.do_not_sms:
        return SkipReason.DO_NOT_SMS
    if bulk and contact.is_opt_out:
        return SkipReason.OPT_OUT
    return None


def choose_recipients(
    requested_ids: Sequence[int],
    contacts: Iterable[Contact],
    *,
    region: str | None,
    bulk: bool = False,
    dedupe_numbers: bool = True,
) -> RecipientList:
    """Pick one number per requested contact, in the order requested.

    ``contacts`` are what the site returned for ``requested_ids``; ids it did not return
    are ``not_found``. A contact requested twice counts once.
    """
    by_id = {c.id: c for c in contacts}
    recipients: list[Recipient] = []
    skipped: list[Skipped] = []
    numbers: dict[str, int] = {}
    for contact_id in dict.fromkeys(requested_ids):
        contact = by_id.get(contact_id)
        if contact is None:
            skipped.append(Skipped(contact_id, SkipReason.NOT_FOUND))
            continue
        reason = exclusion(contact, bulk=bulk)
        if reason is not None:
            skipped.append(Skipped(contact_id, reason))
            continue
        phone = best_mobile(contact)
        if phone is None:
            skipped.append(Skipped(contact_id, SkipReason.NO_MOBILE))
            continue
        e164 = to_e164(phone.phone, region)
        if e164 is None:
            skipped.append(Skipped(contact_id, SkipReason.INVALID_NUMBER, phone.phone))
            continue
        if dedupe_numbers and e164 in numbers:
            detail = f"{e164} is also contact {numbers[e164]}'s number"
            skipped.append(Skipped(contact_id, SkipReason.DUPLICATE_NUMBER, detail))
            continue
        numbers[e164] = contact_id
        recipients.append(Recipient(contact, phone, e164))
    return RecipientList(tuple(recipients), tuple(skipped))
