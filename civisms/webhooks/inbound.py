"""Replies into CiviCRM, as CiviCRM's ``processInbound`` writes them, with a better match.

One ``Inbound SMS`` activity per reply (docs/service.md "Replies"): source = the contact
of the receiving number, else the domain's contact; targets = the texter; ``phone_number``
= the number as the gateway gave it; subject ``Inbound SMS from <number>``; details = the
text; ``result`` = the gateway's message id. Differences from CiviCRM:

* the texter is found by E.164 equality with CiviCRM's phones, not a digits-suffix LIKE:
  mobiles first, then the most recently modified contact; when several contacts share the
  number, the reply goes on each of them (one activity, several targets);
* an unknown texter becomes an Individual with that Mobile phone and no invented e-mail
  (``CIVISMS_INBOUND_UNKNOWN=create``), or the reply is recorded on the domain's contact
  (``domain``);
* STOP / START set or clear ``do_not_sms`` on every contact with that number; the subject
  says so (``Inbound SMS from +336...: STOP, do not SMS set``);
* a gateway retrying the same message (same id) writes nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import phonenumbers

from civisms.bridge.inbound import fire_hook
from civisms.civicrm.base import CiviCRM
from civisms.config import Settings
from civisms.model import Activity
from civisms.numbers import to_e164
from civisms.providers.base import InboundMessage
from civisms.webhooks.keywords import Keyword, Keywords

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboundResult:
    """What recording one reply did."""

    outcome: str  # "recorded", "duplicate" or "part" (of a multipart reply, kept)
    activity_id: int | None = None
    contact_ids: tuple[int, ...] = ()
    keyword: Keyword | None = None
    sender: str | None = None  # E.164, for an answer


def sender_e164(number: str, region: str | None) -> str | None:
    """The texter's number in E.164: gateways send it international, with or without ``+``."""
    return to_e164(number, None) or (to_e164(number, region) if region else None)


def numeric_forms(e164: str) -> list[str]:
    """The ``phone_numeric`` spellings one number may have in CiviCRM: international with
    and without an exit code, national with and without the trunk prefix."""
    parsed = phonenumbers.parse(e164, None)
    nsn = phonenumbers.national_significant_number(parsed)
    code = str(parsed.country_code)
    national = "".join(c for c in phonenumbers.format_number(
        parsed, phonenumbers.PhoneNumberFormat.NATIONAL) if c.isdigit())
    return list(dict.fromkeys([code + nsn, "00" + code + nsn, "011" + code + nsn, nsn,
                               national, "0" + nsn]))


def contacts_with_number(civicrm: CiviCRM, e164: str, region: str | None) -> list[int]:
    """Contacts (not in the trash) with a phone equal to ``e164``: mobiles first, then the
    most recently modified contact first."""
    # A number typed without "+" is read in the site's region, else in the texter's own.
    read_in = region or phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    mobile: dict[int, bool] = {}
    for phone in civicrm.phones_by_numeric(numeric_forms(e164)):
        if to_e164(phone.phone, read_in) != e164:
            continue
        is_mobile = phone.phone_type == "Mobile"
        mobile[phone.contact_id] = mobile.get(phone.contact_id, False) or is_mobile
    if not mobile:
        return []
    contacts = civicrm.contacts(sorted(mobile), ["modified_date"], include_deleted=False,
                                phones=False)
    stamps = {c.id: str(c.fields.get("modified_date") or "") for c in contacts}
    ordered = sorted(stamps, key=lambda cid: stamps[cid], reverse=True)
    return sorted(ordered, key=lambda cid: not mobile[cid])  # stable: mobiles first


def record_inbound(civicrm: CiviCRM, settings: Settings, keywords: Keywords,
                   provider_id: int, message: InboundMessage) -> InboundResult:
    """Record one reply, apply its keyword, and say what was done (``part``: a part of a
    multipart reply, kept until the others come)."""
    split = concat_part(message)
    if split is not None:
        parts = civicrm.inbound_part(provider_id, message.sender, *split, message.text,
                                     message.message_id)
        if parts is None:
            return InboundResult("part")
        # The whole reply is known by its first part's id.
        message = replace(message, text="".join(text for text, _ in parts),
                          message_id=parts[0][1] or message.message_id)
    message_id = message.message_id[:255] if message.message_id else None
    if message_id and civicrm.inbound_recorded(provider_id, message_id):
        return InboundResult("duplicate")
    region = settings.default_region
    number = sender_e164(message.sender, region)
    # With the bridge, CiviCRM's hook_civicrm_inboundSMS runs first and may choose the
    # contacts (docs/bridge.md "Replies").
    hook = fire_hook(civicrm, settings, message.sender, message.text, message.to, message_id)
    if hook and hook.from_contact_id:
        owners = [hook.from_contact_id]
    else:
        owners = contacts_with_number(civicrm, number, region) if number else []
    domain_contact = civicrm.domain().contact_id
    if not owners and number and settings.inbound_unknown == "create":
        owners = [civicrm.create_sms_contact(number)]
        log.info("inbound SMS from an unknown number: contact %s created", owners[0])
    receiver = ((hook.to_contact_id if hook else None)
                or _receiver(civicrm, message.to, region) or domain_contact)
    keyword = keywords.match(message.text)
    subject = f"Inbound SMS from {message.sender}"
    if keyword in (Keyword.STOP, Keyword.START) and owners:
        changed = civicrm.set_do_not_sms(owners, keyword is Keyword.STOP)
        state = "set" if keyword is Keyword.STOP else "cleared"
        subject += f": {keyword.name}, do not SMS {state}"
        log.info("%s from %s: do_not_sms %s on %s", keyword.name, number, state, changed)
    activity = Activity(
        activity_type="Inbound SMS", source_contact_id=receiver, status="Completed",
        subject=subject[:255], details=message.text, targets=tuple(owners) or (receiver,),
        phone_number=message.sender[:64], result=message_id,
    )
    activity_id = civicrm.record_inbound(provider_id, message_id, activity)
    if activity_id is None:
        return InboundResult("duplicate")
    return InboundResult("recorded", activity_id, tuple(owners), keyword, number)


def concat_part(message: InboundMessage) -> tuple[str, int, int] | None:
    """(reference, part, total) of one part of a multipart reply (Vonage's ``concat``)."""
    raw = message.raw if isinstance(message.raw, dict) else {}
    if str(raw.get("concat", "")).lower() != "true":
        return None
    ref = str(raw.get("concat-ref") or "")
    part, total = str(raw.get("concat-part") or ""), str(raw.get("concat-total") or "")
    if not (ref and part.isdigit() and total.isdigit()):
        return None
    if not 1 <= int(part) <= int(total) <= 255:
        return None
    return ref[:64], int(part), int(total)


def _receiver(civicrm: CiviCRM, to: str | None, region: str | None) -> int | None:
    number = sender_e164(to, region) if to else None
    found = contacts_with_number(civicrm, number, region) if number else []
    return found[0] if found else None
