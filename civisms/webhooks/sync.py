"""``civisms sync``: receipts and replies the webhooks missed, fetched from the gateways.

Idempotent with the webhooks: the same recorders write them (``receipts.record_receipt``,
``inbound.record_inbound``), so a receipt or reply already recorded changes nothing.
Keyword replies found this way act (a missed STOP is honoured) but are not answered: the
texter asked long ago.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from civisms.civicrm.base import CiviCRM
from civisms.config import Settings
from civisms.errors import ConfigError, ProviderError
from civisms.providers.base import DeliveryReceipt, InboundMessage
from civisms.providers.registry import adapter_class
from civisms.webhooks.history import HISTORIES, UNSUPPORTED
from civisms.webhooks.inbound import record_inbound
from civisms.webhooks.keywords import Keywords
from civisms.webhooks.receipts import record_receipt

log = logging.getLogger(__name__)


@dataclass
class ProviderSync:
    """What one provider row gave."""

    provider_id: int
    title: str
    adapter: str | None
    fetched: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    skipped: str | None = None  # why the gateway was not asked
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"provider_id": self.provider_id, "title": self.title, "adapter": self.adapter,
                "fetched": self.fetched, "outcomes": self.outcomes, "skipped": self.skipped,
                "error": self.error}


def sync(civicrm: CiviCRM, settings: Settings, kind: str, since: date, *,
         dry_run: bool = False, provider_ids: tuple[int, ...] = ()) -> list[ProviderSync]:
    """Fetch ``kind`` (``receipts`` or ``inbound``) since ``since`` from every active row
    (or ``provider_ids``) and record what is new; ``dry_run`` records nothing."""
    keywords = Keywords.from_settings(settings)
    reports = []
    for row in civicrm.sms_providers(include_inactive=bool(provider_ids)):
        if provider_ids and row.id not in provider_ids:
            continue
        report = ProviderSync(row.id, row.title, None)
        reports.append(report)
        try:
            cls = adapter_class(row.name)
        except ConfigError as exc:
            report.skipped = str(exc)
            continue
        report.adapter = cls.key
        history = HISTORIES.get(cls.key)
        if history is None:
            report.skipped = UNSUPPORTED.get(cls.key, "this gateway keeps no history to ask")
            continue
        provider = cls.from_row(row, outbox=settings.outbox)
        try:
            for event in history(provider, since):
                wanted = DeliveryReceipt if kind == "receipts" else InboundMessage
                if not isinstance(event, wanted):
                    continue
                report.fetched += 1
                outcome = "would record" if dry_run else _record(
                    civicrm, settings, keywords, row.id, event)
                report.outcomes[outcome] = report.outcomes.get(outcome, 0) + 1
        except ProviderError as exc:
            report.error = str(exc)
        finally:
            provider.close()
    return reports


def _record(civicrm: CiviCRM, settings: Settings, keywords: Keywords, provider_id: int,
            event: DeliveryReceipt | InboundMessage) -> str:
    if isinstance(event, DeliveryReceipt):
        return record_receipt(civicrm, provider_id, event)
    return record_inbound(civicrm, settings, keywords, provider_id, event).outcome
