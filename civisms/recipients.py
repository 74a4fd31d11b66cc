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

from civisms.model import Contact, Phone
from civisms.numbers import NumberNormalizer, to_e164


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
    EXCLUDED = "excluded"  # in an Exclude group or mailing, or Removed from a Base group


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


# -- many numbers at once (mass SMS) --------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NumberCheck:
    """The civisms checks on a computed recipient list: who is left out, and why."""

    skipped: tuple[Skipped, ...]
    kept: int


class NumberChecker:
    """Invalid and shared numbers among ``(contact_id, phone)`` rows fed in batches.

    Of several contacts sharing a number the lowest contact id keeps it, whatever order
    the batches come in (ranges of a large mailing are read side by side). ``add`` says
    at once who in the batch is left out; a contact kept earlier that a later batch
    shows to share a lower contact's number is listed in ``displaced``. Numbers are kept
    as integers, which halves the memory of a million of them.
    """

    def __init__(self, region: str | None, *, dedupe_numbers: bool = True,
                 normalizer: NumberNormalizer | None = None) -> None:
        self.normalize = normalizer or NumberNormalizer(region)
        self.dedupe = dedupe_numbers
        self.owners: dict[int, int] = {}  # E.164 digits -> the lowest contact id so far
        self.sharers: dict[int, list[int]] = {}  # the others, for shared numbers only
        self.invalid: list[Skipped] = []
        self.displaced: list[int] = []
        self.rows = 0

    def add(self, rows: Sequence[tuple[int, str | None]]) -> list[int]:
        """Check one batch; return the contacts of the batch that are left out."""
        owners, dedupe = self.owners, self.dedupe
        left_out: list[int] = []
        self.rows += len(rows)
        keys = self.normalize.many([phone for _contact, phone in rows])
        for (contact_id, phone), key in zip(rows, keys, strict=True):
            if key is None:
                self.invalid.append(Skipped(contact_id, SkipReason.INVALID_NUMBER, phone or ""))
                left_out.append(contact_id)
                continue
            if not dedupe:
                continue
            owner = owners.setdefault(key, contact_id)
            if owner < contact_id:
                self.sharers.setdefault(key, []).append(contact_id)
                left_out.append(contact_id)
            elif owner > contact_id:
                owners[key] = contact_id
                self.sharers.setdefault(key, []).append(owner)
                self.displaced.append(owner)
        return left_out

    def result(self) -> NumberCheck:
        """Everyone left out, by contact id."""
        skipped = list(self.invalid)
        for key, others in self.sharers.items():
            detail = f"+{key} is also contact {self.owners[key]}'s number"
            skipped.extend(Skipped(c, SkipReason.DUPLICATE_NUMBER, detail) for c in others)
        skipped.sort(key=lambda s: s.contact_id)
        return NumberCheck(tuple(skipped), self.rows - len(skipped))


def check_numbers(
    rows: Iterable[tuple[int, int | None, str | None]],
    *,
    region: str | None,
    dedupe_numbers: bool = True,
    normalizer: NumberNormalizer | None = None,
) -> NumberCheck:
    """Invalid and shared numbers among ``(contact_id, phone_id, phone)`` rows.

    With ``dedupe_numbers`` the lowest contact id with a number keeps it and the others
    are ``duplicate_number`` (E.164 compared, so ``+1 415-555-0101`` and
    ``+14155550101`` are one number).
    """
    checker = NumberChecker(region, dedupe_numbers=dedupe_numbers, normalizer=normalizer)
    checker.add([(contact_id, phone) for contact_id, _phone_id, phone in rows])
    return checker.result()
