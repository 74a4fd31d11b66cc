"""What the bridge asks of civisms, as library calls the service's routes make.

- ``authenticate``: the bridge row whose password is the bearer token (constant time, every
  row compared); the token is the only credential CiviCRM's extension holds.
- ``accept``: one message CiviCRM's provider class handed over, journaled for the shared
  engine and sent through the bridge row's gateway row (``civisms_via``); a worker
  (``work_forever``) sends it and records the ``SMS delivery`` activity a provider's
  ``createActivity`` writes.
- ``run_jobs``: one ``civisms jobs run`` pass for CiviCRM's scheduled job.
"""

from __future__ import annotations

import dataclasses
import hmac
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from civisms.bridge import gateway_row, is_bridge
from civisms.civicrm.base import CiviCRM
from civisms.config import Settings
from civisms.errors import ConfigError, NotSupportedByBackend
from civisms.model import SmsProvider
from civisms.providers.base import Provider
from civisms.sending.journal import Journal
from civisms.sending.outbox import Submitted, submit, work

log = logging.getLogger(__name__)

#: Seconds to wait before the worker tries again after CiviCRM failed it.
WORKER_RETRY = 5.0


@dataclasses.dataclass(frozen=True)
class Incoming:
    """One message from CiviCRM's provider class (``org_civisms_bridge::send``)."""

    to: str
    text: str
    contact_id: int
    source_contact_id: int | None = None
    provider_id: int | None = None
    mailing_job_id: int | None = None
    parent_activity_id: int | None = None


def authenticate(rows: Sequence[SmsProvider], token: str) -> SmsProvider | None:
    """The active bridge row whose password is ``token``; None when there is none.

    Every bridge row is compared, in constant time, whatever matched first.
    """
    found = None
    given = token.encode()
    for row in rows:
        if not (is_bridge(row) and row.is_active and row.password):
            continue
        if hmac.compare_digest(row.password.encode(), given) and found is None:
            found = row
    return found


def accept(civicrm: CiviCRM, journal: Journal, settings: Settings, row: SmsProvider,
           rows: Sequence[SmsProvider], message: Incoming) -> tuple[Submitted, SmsProvider]:
    """Journal ``message`` for the gateway row of bridge row ``row``; its journal entry
    and that gateway row. ``InputError`` for a bad number or empty text, ``ConfigError``
    for a bridge row without a usable ``civisms_via``.

    The sender is the contact CiviCRM's provider class chose as ``createActivity`` does;
    when it found none, the configured source contact or the domain's, so that the
    message is still on record (CiviCRM would record no activity).
    """
    if message.provider_id is not None and message.provider_id != row.id:
        raise ConfigError("provider_id", str(message.provider_id),
                          f"{row.id}, the bridge row this token belongs to")
    gateway = gateway_row(row, rows)
    source = (message.source_contact_id or settings.source_contact_id
              or civicrm.domain().contact_id)
    queued = submit(journal, provider_id=gateway.id, contact_id=message.contact_id,
                    phone=message.to, text=message.text, source_contact_id=source,
                    region=settings.default_region)
    return queued, gateway


def gateway_for(civicrm: CiviCRM, settings: Settings) -> Callable[[int], Provider]:
    """The adapter of a gateway row by id, for ``outbox.work`` (an inactive gateway row
    serves its bridge rows all the same)."""
    from civisms.providers.registry import provider_for

    def adapter(provider_id: int) -> Provider:
        rows = civicrm.sms_providers(include_inactive=True)
        row = next((r for r in rows if r.id == provider_id), None)
        if row is None:
            raise ConfigError("civisms_outbox.provider_id", str(provider_id),
                              "an existing SMS provider row")
        return provider_for(dataclasses.replace(row, is_active=True), outbox=settings.outbox,
                            public_url=settings.public_url)

    return adapter


def work_forever(connect: Callable[[Settings], CiviCRM], settings: Settings,
                 stop: threading.Event) -> None:
    """Send what ``accept`` journaled until ``stop`` is set, on a connection of its own;
    after a CiviCRM failure, wait and start again (a row left 'sending' becomes unknown)."""
    while not stop.is_set():
        civicrm = None
        try:
            civicrm = connect(settings)
            journal = Journal.for_civicrm(civicrm, settings.journal_path)
            work(civicrm, journal, gateway_for(civicrm, settings), stop=stop)
        except Exception as exc:  # the worker must outlive any failure
            log.error("civisms bridge worker: %s: %s; retrying in %.0f s",
                      type(exc).__name__, exc, WORKER_RETRY)
            stop.wait(WORKER_RETRY)
        finally:
            if civicrm is not None:
                civicrm.close()


def run_jobs(connect: Callable[[Settings], CiviCRM], settings: Settings) -> dict[str, Any]:
    """One ``civisms jobs run --once`` pass (db backend); its summary."""
    if settings.backend != "db":
        raise NotSupportedByBackend(
            "mass SMS needs CIVISMS_BACKEND=db: CiviCRM's API v4 cannot write mailing jobs")
    from civisms.sending.jobs import RunConfig, Runner

    civicrm = connect(settings)
    try:
        report = Runner(civicrm, settings, RunConfig()).run()  # type: ignore[arg-type]
    finally:
        civicrm.close()
    summary = report.as_dict()
    total = summary["total"]
    summary["summary"] = (
        f"civisms sent {total.get('sent', 0)}, failed {total.get('failed', 0)}, unknown "
        f"{total.get('unknown', 0)}; completed mailings: {report.completed or 'none'}"
        + (f"; paused: {report.paused}" if report.paused else "")
        + (f"; stopped: {report.stopped}" if report.stopped else ""))
    return summary
