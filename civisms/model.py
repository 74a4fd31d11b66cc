"""Frozen value objects shared by every stage of civisms.

They are what the CiviCRM boundary (``civisms.civicrm``) returns and accepts, whatever
the backend; nothing here knows about SQL or HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Phone:
    """One ``civicrm_phone`` row; ``phone_type`` is the option *name* (``Mobile``)."""

    id: int
    contact_id: int
    phone: str
    phone_numeric: str | None
    phone_type: str | None
    is_primary: bool
    location_type_id: int | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact with the flags that decide who may be texted.

    ``fields`` holds the ``civicrm_contact`` columns asked for (token values), keyed by
    column name; ``phones`` every phone of the contact, primary first.
    """

    id: int
    contact_type: str | None
    display_name: str | None
    do_not_sms: bool = False
    is_opt_out: bool = False
    is_deceased: bool = False
    is_deleted: bool = False
    phones: tuple[Phone, ...] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)
    email: str | None = None

    @property
    def mobiles(self) -> tuple[Phone, ...]:
        """Phones of type Mobile, primary first, then by phone id."""
        mobiles = [p for p in self.phones if p.phone_type == "Mobile"]
        return tuple(sorted(mobiles, key=lambda p: (not p.is_primary, p.id)))


@dataclass(frozen=True, slots=True)
class Group:
    """A ``civicrm_group``; smart when it has a saved search."""

    id: int
    name: str | None
    title: str
    is_active: bool
    is_smart: bool
    group_types: tuple[str, ...] = ()
    parents: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class MessageTemplate:
    """An SMS message template (``civicrm_msg_template`` with ``is_sms = 1``)."""

    id: int
    title: str
    text: str
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class SmsProvider:
    """A ``civicrm_sms_provider`` row, ``api_params`` parsed as CiviCRM parses them.

    ``name`` is the provider extension key (``org.civicrm.sms.twilio``); ``api_type`` the
    option name (``http``/``xml``/``smtp``). ``password`` is a secret: never print it.
    """

    id: int
    name: str
    title: str
    username: str | None
    password: str | None = field(repr=False)
    api_type: str | None
    api_url: str | None
    api_params: Mapping[str, str] = field(repr=False)
    api_params_raw: str | None = field(repr=False, default=None)
    is_active: bool = True
    is_default: bool = False
    domain_id: int | None = None


@dataclass(frozen=True, slots=True)
class Domain:
    """The CiviCRM domain: its name, version and the contact that stands for it."""

    id: int
    name: str
    version: str | None
    contact_id: int | None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class CustomField:
    """A ``civicrm_custom_field`` as a token renders it: type, multi-valued, option labels."""

    id: int
    data_type: str
    html_type: str | None = None
    serialize: bool = False
    options: Mapping[str, str] = field(default_factory=dict)
    source: str = ""  # where the backend reads it: "table.column" (db), "group.field" (api4)


@dataclass(frozen=True, slots=True)
class Campaign:
    """A ``civicrm_campaign`` (only what SMS needs)."""

    id: int
    name: str | None
    title: str | None


@dataclass(frozen=True, slots=True)
class Activity:
    """An activity to write, in CiviCRM's terms; types and statuses by *name*.

    ``targets`` become ``civicrm_activity_contact`` rows of record type
    ``Activity Targets``, ``source_contact_id`` one of type ``Activity Source``.
    """

    activity_type: str
    source_contact_id: int
    status: str = "Completed"
    subject: str | None = None
    details: str | None = None
    targets: tuple[int, ...] = ()
    result: str | None = None
    location: str | None = None
    campaign_id: int | None = None
    source_record_id: int | None = None
    parent_id: int | None = None
    phone_number: str | None = None
    activity_date_time: datetime | None = None


#: A receipt status → its rank: a message only moves to a higher one (see ReceiptUpdate).
RECEIPT_RANKS: dict[str, int] = {
    "accepted": 0, "queued": 1, "sent": 2, "delivered": 3, "undelivered": 3, "failed": 3,
}


def location_rank(location: str | None) -> int:
    """The rank of the status word a receipt wrote first in ``location`` (-1: none)."""
    return RECEIPT_RANKS.get((location or "").split(" ", 1)[0], -1)


@dataclass(frozen=True, slots=True)
class ReceiptUpdate:
    """A delivery receipt, ready to be written: where the message now is, in CiviCRM's terms.

    ``rank`` orders the states (accepted < queued < sent < a final one); a receipt only
    moves a message to a higher rank, so a late ``sent`` never undoes ``delivered``.
    ``activity_status`` is the ``SMS delivery`` activity's new status by name;
    ``location`` the human-readable gateway status CiviCRM's Clickatell extension keeps
    there; ``bounce`` the ``civicrm_mailing_bounce_type`` name for a failed mass SMS.
    """

    provider_id: int
    message_id: str
    status: str
    rank: int
    activity_status: str
    location: str
    provider_status: str | None = None
    error_code: str | None = None
    bounce: str | None = None
    opted_out: bool = False  # the gateway says the person opted out: targets wanted


@dataclass(frozen=True, slots=True)
class ReceiptResult:
    """What writing a receipt did: ``updated``, ``unchanged`` (a replay, or older than what
    is recorded) or ``unmatched`` (no ``SMS delivery`` activity has that gateway id yet)."""

    outcome: str
    activity_id: int | None = None
    contact_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ExtensionState:
    """A CiviCRM extension as the site knows it.

    ``status`` is ``enabled``, ``disabled`` or ``not installed``; ``version`` comes from the
    extension's info.xml, which only the API can read (None through the database).
    """

    key: str
    status: str
    version: str | None = None
