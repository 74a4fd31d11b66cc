"""Who gets an SMS: mobile choice, E.164 numbers, CiviCRM's exclusions, duplicates.

Every contact that is not texted comes back as a ``Skipped`` with a reason code, so a
user always learns why. The rules follow CiviCRM (COMPAT §2.2 for individual sends,
§3.3 for mass SMS) with two documented improvements: the *primary* mobile is used
(CiviCRM's individual form texts a non-primary one), and a number shared by several
contacts is texted once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

import phonenumbers
from phonenumbers import phonenumberutil as _pnu

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


# -- many numbers at once (mass SMS) --------------------------------------------------------

_SEPARATORS = str.maketrans("", "", " -.()/\t\u00a0")
_POSSIBLE = {_pnu.ValidationResult.IS_POSSIBLE, _pnu.ValidationResult.TOO_LONG}


class NumberNormalizer:
    """``to_e164`` for many numbers, fast, with the same answers.

    Each distinct number is worked out once. Plain numbers (digits and separators, with or
    without ``+``) take a short path through the same libphonenumber metadata steps that
    ``phonenumbers.parse`` + ``is_valid_number`` take (country code, national prefix,
    region, number type): about 4 µs instead of 30. Anything else, and every number the
    short path finds invalid, goes through ``to_e164`` itself, so a number is only ever
    called invalid by phonenumbers.
    """

    def __init__(self, region: str | None) -> None:
        self.region = region
        self.cache: dict[str, str | None] = {}
        self.slow = 0  # numbers that needed phonenumbers.parse (for the benchmark)

    def __call__(self, number: str) -> str | None:
        found = self.cache.get(number, False)
        if found is False:
            found = self._quick(number)
            if found is None:
                self.slow += 1
                found = to_e164(number, self.region)
            self.cache[number] = found
        return found  # type: ignore[return-value]

    def _quick(self, number: str) -> str | None:
        text = number.strip().translate(_SEPARATORS)
        if text.startswith("+"):
            digits = text[1:]
        elif self.region is None:
            digits = text  # read as international, as to_e164 does without a region
        else:
            return self._national(text) if text.isdigit() else None
        if not digits.isdigit() or digits.startswith("0"):
            return None
        for width in (1, 2, 3):  # phonenumbers' _extract_country_code
            code = int(digits[:width])
            if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                return _valid(code, digits[width:])
        return None

    def _national(self, digits: str) -> str | None:
        meta = phonenumbers.PhoneMetadata.metadata_for_region(self.region)
        if meta is None or meta.national_prefix_transform_rule:
            return None
        return _valid(meta.country_code, digits)


def _valid(code: int, nsn: str) -> str | None:
    """``+<code><nsn>`` when libphonenumber holds it valid, the national prefix stripped
    as ``phonenumbers.parse`` strips it; None when unsure (the caller asks phonenumbers)."""
    rules = _code_rules(code)
    if rules is None:
        return None
    main, prefix, regions = rules
    if prefix is not None and prefix.match(nsn):
        _carrier, stripped, _done = _pnu._maybe_strip_national_prefix_carrier_code(nsn, main)
        if _pnu._test_number_length(stripped, main) in _POSSIBLE:
            nsn = stripped
    # phonenumbers.region_code_for_number: the first region whose leading digits match, or
    # (without leading digits) whose number types match; then that region's validity.
    for leading, is_valid in regions:
        if leading is not None:
            if leading.match(nsn):
                return f"+{code}{nsn}" if is_valid(nsn) else None
        elif is_valid(nsn):
            return f"+{code}{nsn}"
    return None


_Rules = tuple[re.Pattern[str] | None, Callable[[str], bool]]


@cache
def _code_rules(code: int) -> tuple[Any, re.Pattern[str] | None, list[_Rules]] | None:
    """Main-region metadata, national-prefix pattern and region rules of a country code."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code)
    if not code or not regions or regions[0] == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
        return None
    main = phonenumbers.PhoneMetadata.metadata_for_region(regions[0])
    if main is None:
        return None
    pattern = main.national_prefix_for_parsing
    prefix = re.compile(pattern) if pattern else None
    return main, prefix, [_region_rules(r) for r in regions]


_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager",
          "uan", "voicemail", "fixed_line", "mobile")


@cache
def _region_rules(region: str) -> tuple[re.Pattern[str] | None, Callable[[str], bool]]:
    """A region's leading-digits pattern and a validity test equal to
    ``_number_type_helper(nsn, metadata) != UNKNOWN``, compiled once: the general
    description, then one alternation per length of every number type possible there."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None:
        return re.compile("(?!)"), lambda nsn: False
    general = meta.general_desc
    by_length: dict[int | None, list[str]] = {}
    for name in _TYPES:
        desc = getattr(meta, name)
        if desc is None or not desc.national_number_pattern:
            continue
        for length in desc.possible_length or (None,):
            by_length.setdefault(length, []).append(desc.national_number_pattern)
    anywhere = by_length.pop(None, [])
    typed = {n: re.compile("|".join(f"(?:{p})" for p in [*ps, *anywhere]))
             for n, ps in by_length.items()}
    any_length = re.compile("|".join(f"(?:{p})" for p in anywhere)) if anywhere else None
    general_re = re.compile(general.national_number_pattern or "(?!)")
    lengths = frozenset(general.possible_length)

    def is_valid(nsn: str) -> bool:
        if (lengths and len(nsn) not in lengths) or not general_re.fullmatch(nsn):
            return False
        pattern = typed.get(len(nsn), any_length)
        return pattern is not None and pattern.fullmatch(nsn) is not None

    leading = re.compile(meta.leading_digits) if meta.leading_digits is not None else None
    return leading, is_valid


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

    def add(self, rows: Iterable[tuple[int, str | None]]) -> list[int]:
        """Check one batch; return the contacts of the batch that are left out."""
        normalize, owners, dedupe = self.normalize, self.owners, self.dedupe
        left_out: list[int] = []
        for contact_id, phone in rows:
            self.rows += 1
            e164 = normalize(phone) if phone else None
            if e164 is None:
                self.invalid.append(Skipped(contact_id, SkipReason.INVALID_NUMBER, phone or ""))
                left_out.append(contact_id)
                continue
            if not dedupe:
                continue
            key = int(e164[1:])
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
    checker.add((contact_id, phone) for contact_id, _phone_id, phone in rows)
    return checker.result()
