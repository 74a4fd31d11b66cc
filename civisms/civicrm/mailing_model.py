"""Value objects of a mass SMS (a ``civicrm_mailing`` row with ``sms_provider_id`` set).

What the mailing stores (``civisms.civicrm.mailings``, ``mailings_api4``) return and
accept, whatever the backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

#: Job / mailing status strings (CRM_Core_SelectValues::getMailingJobStatus): one "l".
DRAFT, SCHEDULED, RUNNING, COMPLETE, PAUSED, CANCELED = (
    "Draft", "Scheduled", "Running", "Complete", "Paused", "Canceled",
)


@dataclass(frozen=True, slots=True)
class MailingGroups:
    """The ``civicrm_mailing_group`` rows of a mailing, by role."""

    include_groups: tuple[int, ...] = ()
    exclude_groups: tuple[int, ...] = ()
    include_mailings: tuple[int, ...] = ()
    exclude_mailings: tuple[int, ...] = ()
    base_groups: tuple[int, ...] = ()

    def rows(self) -> list[tuple[str, str, int]]:
        """``(group_type, entity_table, entity_id)`` rows, in the wizard's order."""
        return [
            *(("Include", "civicrm_group", g) for g in self.include_groups),
            *(("Exclude", "civicrm_group", g) for g in self.exclude_groups),
            *(("Base", "civicrm_group", g) for g in self.base_groups),
            *(("Include", "civicrm_mailing", m) for m in self.include_mailings),
            *(("Exclude", "civicrm_mailing", m) for m in self.exclude_mailings),
        ]

    @classmethod
    def from_rows(cls, rows: list[tuple[str, str, int]]) -> MailingGroups:
        """Parse ``civicrm_mailing_group`` rows (other entity tables are ignored)."""
        found: dict[str, list[int]] = {}
        for group_type, table, entity_id in rows:
            kind = "mailings" if table == "civicrm_mailing" else "groups"
            if table != "civicrm_mailing" and not table.startswith("civicrm_group"):
                continue
            found.setdefault(f"{group_type.lower()}_{kind}", []).append(int(entity_id))
        return cls(**{k: tuple(v) for k, v in found.items() if k in cls.__slots__})


@dataclass(frozen=True, slots=True)
class MailingDraft:
    """What the SMS wizard's Group and Upload steps write."""

    name: str
    provider_id: int
    from_name: str | None
    groups: MailingGroups
    body_text: str | None = None
    msg_template_id: int | None = None
    campaign_id: int | None = None
    created_id: int | None = None


@dataclass(frozen=True, slots=True)
class Mailing:
    """A mass SMS as read back; ``status`` is the parent job's, else ``Draft``."""

    id: int
    name: str
    status: str
    sms_provider_id: int | None
    body_text: str | None
    msg_template_id: int | None
    campaign_id: int | None
    from_name: str | None
    created_id: int | None
    created_date: datetime | None
    scheduled_id: int | None
    scheduled_date: datetime | None
    start_date: datetime | None
    end_date: datetime | None
    is_completed: bool
    recipients: int
    groups: MailingGroups = field(default_factory=MailingGroups)

    @property
    def is_draft(self) -> bool:
        """Never submitted: CiviCRM's "Draft / Unscheduled" (``scheduled_id IS NULL``)."""
        return self.scheduled_date is None and self.status == DRAFT


@dataclass(frozen=True, slots=True)
class MailingCounts:
    """Progress of a mailing from CiviCRM's tables and civisms' queue state."""

    queued: int = 0
    sent: int = 0  # civicrm_mailing_event_delivered: handed to the gateway
    delivered: int | None = None  # handset receipts (civisms serve), None without any record
    undelivered: int | None = None  # receipts saying the carrier or gateway gave up
    awaiting: int | None = None  # sent, with no final receipt yet
    failed: int = 0
    unknown: int = 0  # marked "sending" before a crash: ask the gateway, never resend
    failures: dict[str, int] = field(default_factory=dict)
