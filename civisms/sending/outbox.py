"""One-off messages through the shared engine: ``submit`` one, ``drain`` the journal.

Producers: ``civisms send`` (``individual.py`` journals every recipient of a send, then
drains that send) and the service's ``POST /v1/messages`` (``submit`` journals one message
and returns its id at once; a worker calls ``drain`` or runs ``work``). Every message is
sent by ``engine.Engine`` under the provider's rate limit and the never-twice rule, and
recorded as CiviCRM records a provider's send (``CRM_SMS_Provider::createActivity``): an
``SMS delivery`` activity, source = the sender, target = the contact, ``result`` = the
gateway's message id (``Cancelled`` with the error in ``location`` when refused). A
message of a send also becomes a target of the send's ``SMS`` activity. Messages whose
outcome is ``unknown`` get no activity: they are listed, and settled only when told
(``resolve_unknown``). See docs/sending.md.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from civisms.civicrm.base import CiviCRM
from civisms.errors import InputError, ProviderError, verdict
from civisms.model import Activity
from civisms.numbers import to_e164
from civisms.providers.base import OutboundMessage, Provider, SendResult
from civisms.sending.engine import Engine, Options, Tally, Work
from civisms.sending.journal import Journal, Message, Outcome
from civisms.sending.throttle import TokenBucket
from civisms.text import segment


@dataclass(frozen=True, slots=True)
class Submitted:
    """A message accepted into the journal: its id and how many segments it makes."""

    id: int
    segments: int


def submit(journal: Journal, *, provider_id: int, contact_id: int, phone: str, text: str,
           source_contact_id: int, region: str | None = None) -> Submitted:
    """Journal one message (pending) and return its id; ``drain`` or ``work`` sends it.

    ``phone`` is normalised to E.164 (``region`` for numbers without a +). Raises
    ``InputError`` for an empty text or a number that is not a valid phone number.
    One INSERT: safe to call from a web request.
    """
    number = to_e164(phone, region)
    if number is None:
        raise InputError(f"not a valid phone number: {phone!r} (expected E.164, e.g. "
                         "+447700900123, or a national number with a default region)")
    if not text.strip():
        raise InputError("the message is empty")
    segments = segment(text).segments
    message_id = journal.add(provider_id=provider_id, source_contact_id=source_contact_id,
                             contact_id=contact_id, phone=number, text=text, segments=segments)
    return Submitted(message_id, segments)


def drain(civicrm: CiviCRM, journal: Journal, provider: Provider, provider_id: int, *,
          send_id: int | None = None, options: Options | None = None,
          bucket: TokenBucket | None = None) -> Tally:
    """Send every pending message of a send (or, ``send_id`` None, those submitted alone
    for ``provider_id``) and record each outcome; return the tally.

    One process drains a given send (or a provider's lone messages) at a time: a named
    lock is held, and messages a dead drainer left 'sending' become 'unknown' first.
    Returns at once with ``stopped`` set when another process holds the lock.
    """
    journal.prepare()
    lock = f"send.{send_id}" if send_id is not None else f"messages.{provider_id}"
    if not journal.acquire(lock):
        return Tally(stopped=f"another civisms is already sending {lock}")
    try:
        tally = Tally(unknown=journal.mark_stale(send_id, provider_id))
        engine = OutboxEngine(civicrm, journal, provider, provider_id, send_id,
                              bucket or TokenBucket(provider.mps), options or Options())
        tally.add(engine.run())
        return tally
    finally:
        journal.release(lock)


def work(civicrm: CiviCRM, journal: Journal, provider_for: Callable[[int], Provider], *,
         stop: threading.Event, interval: float = 0.5,
         options: Callable[[], Options] = Options) -> None:
    """Drain messages submitted alone, provider by provider, until ``stop`` is set."""
    providers: dict[int, Provider] = {}
    try:
        while not stop.is_set():
            due = journal.providers_with_pending()
            stalled = False
            for provider_id in due:
                if provider_id not in providers:
                    providers[provider_id] = provider_for(provider_id)
                opts = options()
                opts.stop = stop
                tally = drain(civicrm, journal, providers[provider_id], provider_id,
                              options=opts)
                stalled = stalled or tally.stopped is not None
            if not due or stalled:  # nothing to do, or a gateway to give time to recover
                stop.wait(interval)
    finally:
        for provider in providers.values():
            provider.close()


class OutboxEngine(Engine):
    """The engine over journal rows: claims them, records them as ``createActivity``."""

    def __init__(self, civicrm: CiviCRM, journal: Journal, provider: Provider,
                 provider_id: int, send_id: int | None, bucket: TokenBucket | None,
                 options: Options) -> None:
        super().__init__(provider, bucket, options)
        self.civicrm = civicrm
        self.journal = journal
        self.provider_id = provider_id
        self.send_id = send_id
        send = journal.send(send_id) if send_id is not None else None
        self.sms_activity: int | None = send["activity_id"] if send else None
        self.rows: dict[int, Message] = {}  # claimed and not yet recorded

    def claim(self, size: int) -> bool:
        claimed = self.journal.claim(self.send_id, self.provider_id, size)
        self.claimed_total += len(claimed)
        for row in claimed:
            message = OutboundMessage(to=row.phone, text=row.text, contact_id=row.contact_id,
                                      segments=row.segments)
            self.hand(Work(row, row.text, message))
        return not claimed

    def outcome(self, work: Work, result: SendResult | None,
                exc: BaseException | None) -> Outcome:
        row: Message = work.row
        if result is not None:
            return Outcome(row.id, "sent", gateway_id=result.message_id)
        decided = verdict(exc)  # the never-twice rule, shared by every send
        code = getattr(exc, "code", None)
        shown = f"{code}: {exc}" if code else str(exc)
        if decided.stop:
            self.tally.fatal = self.tally.fatal or str(exc)
            self.stop(f"gateway error: {exc}")
        elif decided.state == "release":
            self.stop(f"gateway unavailable, try again later: {exc}")
        if not isinstance(exc, ProviderError):
            shown = f"unexpected error: {exc!r}"
        return Outcome(row.id, decided.state, error=shown[:512])

    def release(self, work: Work) -> Outcome:
        return Outcome(work.row.id, "release")

    def abandon(self, work: Work) -> Outcome:
        return Outcome(work.row.id, "unknown",
                       error="abandoned while with the gateway (the send was interrupted)")

    def write(self, outcomes: list[Any]) -> None:
        self._record(outcomes)

    def _record(self, outcomes: list[Outcome]) -> None:
        messages = self.rows
        handed = [o for o in outcomes if o.state in ("sent", "failed")]
        activities = [self._delivery(messages[o.id], o) for o in handed]
        # One transaction with the db backend: the records and the states commit together.
        with self.journal.conn.transaction():
            ids = self.civicrm.create_activities(activities) if activities else []
            sent = [messages[o.id].contact_id for o in handed if o.state == "sent"]
            if sent and self.sms_activity is not None:
                self.civicrm.add_activity_targets(self.sms_activity, sent)
            by_id = dict(zip([o.id for o in handed], ids, strict=True))
            self.journal.settle([
                Outcome(o.id, o.state, o.gateway_id, o.error, by_id.get(o.id))
                for o in outcomes])
        for o in outcomes:
            messages.pop(o.id, None)

    def _delivery(self, row: Message, o: Outcome) -> Activity:
        if o.state == "sent":
            return Activity(activity_type="SMS delivery", source_contact_id=row.source_contact_id,
                            status="Completed", details=row.text, targets=(row.contact_id,),
                            result=o.gateway_id)
        return Activity(activity_type="SMS delivery", source_contact_id=row.source_contact_id,
                        status="Cancelled", details=row.text, targets=(row.contact_id,),
                        location=(o.error or "")[:255])

    def hand(self, work: Work) -> None:
        self.rows[work.row.id] = work.row
        super().hand(work)
