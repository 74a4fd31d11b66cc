"""Delivering one child job: claim rows, render, send many at once, record in batches.

The main thread owns the database connection: it claims rows (marking them 'sending'
*before* any gateway call), renders them, hands them to sender threads, and writes their
outcomes in batches. Sender threads only talk HTTP, each message through the provider's
token bucket (segments per second) and ``send_with_retry``.

Outcome of each message, by what the gateway said (ARCHITECTURE convention 5):

    accepted                      sent: delivered row, SMS delivery (Completed), Mass SMS target
    RecipientError                failed: bounce row (Spam if opted out, else Invalid),
                                  SMS delivery (Cancelled, error in location)
    may have reached the gateway  unknown: read timeout, connection lost, undocumented 5xx,
      / unexpected                unreadable 2xx; never resent by itself
    other transient, after retries  released (pending again); this child stops for this run
    FatalProviderError            released; the mailing is paused with the reason
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from civisms.civicrm.jobrecord import Recorder
from civisms.civicrm.jobstore import Claimed, JobStore, MailerSettings, Settle
from civisms.errors import ProviderError, verdict
from civisms.numbers import to_e164
from civisms.providers.base import OutboundMessage, Provider, SendResult
from civisms.providers.http import RetryPolicy, send_with_retry
from civisms.sending.throttle import TokenBucket
from civisms.text import ContactRenderer, Template, segment

log = logging.getLogger("civisms.jobs")

#: Mass sending never retries a read timeout: the gateway may have taken the message.
MASS_POLICY = RetryPolicy(max_attempts=5, base_delay=0.5, max_delay=20.0)
#: Seconds between writes of outcomes (and at most this many outcomes per write): what a
#: kill can leave 'unknown' besides the messages in flight.
FLUSH_EVERY = 0.1
FLUSH_SIZE = 200
#: Seconds between checks that the job is still Running (CiviCRM: every sync interval).
STATUS_EVERY = 1.0


@dataclass
class Tally:
    """What one delivery did."""

    sent: int = 0
    failed: int = 0
    unknown: int = 0
    released: int = 0
    stopped: str | None = None  # why it stopped before the child was done
    fatal: str | None = None  # a gateway error that must pause the mailing

    def add(self, other: Tally) -> None:
        """Sum another tally into this one (stops and fatals: first one wins)."""
        self.sent += other.sent
        self.failed += other.failed
        self.unknown += other.unknown
        self.released += other.released
        self.stopped = self.stopped or other.stopped
        self.fatal = self.fatal or other.fatal

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.unknown


@dataclass
class Options:
    """How to deliver: concurrency, claim size, budget, stop signals, progress."""

    concurrency: int = 32
    batch: int = 500
    limit: int = 0  # messages this run (0 = no limit)
    region: str | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    should_pause: Callable[[], str | None] = lambda: None  # quiet hours and the like
    progress: Callable[[Tally], None] | None = None
    policy: RetryPolicy = MASS_POLICY


@dataclass(frozen=True, slots=True)
class Item:
    """A claimed row ready to go."""

    claimed: Claimed
    text: str
    message: OutboundMessage


@lru_cache(maxsize=65536)
def _e164(phone: str, region: str | None) -> str | None:
    return to_e164(phone, region)


class Renderer:
    """The mailing's text parsed once; per-contact values fetched per batch."""

    def __init__(self, store: JobStore, body: str) -> None:
        # CiviCRM leaves an unknown token as typed in a mass SMS: so do we.
        self.template = Template(body, unknown="keep")
        self.civicrm = store.civicrm
        self.contacts = ContactRenderer(self.civicrm, self.template)
        self.domain = self.contacts.domain
        self.fixed = None if self.template.needs.contact else self.template.render(self.domain)
        self._segments: dict[str, int] = {}

    def texts(self, contact_ids: list[int]) -> dict[int, str]:
        """The rendered text per contact (a contact gone from the site renders empty)."""
        if self.fixed is not None:
            return dict.fromkeys(contact_ids, self.fixed)
        texts = self.contacts.render_all(self.contacts.contacts(contact_ids))
        empty = self.template.render(self.domain)
        return {cid: texts.get(cid, empty) for cid in contact_ids}

    def segments(self, text: str) -> int:
        """Segments of a text (cached: most messages of a mailing share a length class)."""
        count = self._segments.get(text)
        if count is None:
            count = segment(text).segments
            if len(self._segments) < 10000:
                self._segments[text] = count
        return count


def _sender(provider: Provider, inbox: queue.SimpleQueue, outbox: queue.SimpleQueue,
            bucket: TokenBucket | None, policy: RetryPolicy) -> None:
    while True:
        item = inbox.get()
        if item is None:
            return
        try:
            result: SendResult | None = send_with_retry(provider, item.message, policy,
                                                        throttle=bucket)
            outbox.put((item, result, None))
        except Exception as exc:  # every failure is classified by the main thread
            outbox.put((item, None, exc))


class Delivery:
    """Delivers one child job in this process (see the module docstring)."""

    def __init__(self, store: JobStore, job: dict[str, Any], mailing: dict[str, Any],
                 settings: MailerSettings, provider: Provider, bucket: TokenBucket | None,
                 options: Options) -> None:
        self.store = store
        self.job = job
        self.provider = provider
        self.bucket = bucket
        self.options = options
        self.renderer = Renderer(store, mailing["body_text"] or "")
        self.recorder = Recorder(store, mailing, job, settings)
        self.tally = Tally()
        self.outcomes: list[Settle] = []
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()
        self.outbox: queue.SimpleQueue = queue.SimpleQueue()
        self.in_flight = 0
        self.claimed_total = 0

    def run(self) -> Tally:
        """Deliver until the child has nothing pending, or a reason to stop."""
        opts = self.options
        threads = [threading.Thread(target=_sender, daemon=True, name=f"sms-{i}", args=(
            self.provider, self.inbox, self.outbox, self.bucket, opts.policy))
            for i in range(max(1, opts.concurrency))]
        for thread in threads:
            thread.start()
        cursor, exhausted = 0, False
        last_flush = last_status = time.monotonic()
        try:
            while True:
                # Top up once half is used, so claims stay large (fewer transactions).
                while not exhausted and self.tally.stopped is None and \
                        self.in_flight <= max(1, opts.concurrency):
                    exhausted, cursor = self._top_up(cursor)
                if self.in_flight == 0:
                    break
                self._collect(timeout=FLUSH_EVERY)
                now = time.monotonic()
                if len(self.outcomes) >= FLUSH_SIZE or now - last_flush >= FLUSH_EVERY:
                    self._flush()
                    last_flush = now
                if now - last_status >= STATUS_EVERY and self.tally.stopped is None:
                    last_status = now
                    status = self.store.job_status(self.job["id"])
                    if status != "Running":
                        self._stop(f"job {self.job['id']} is {status}")
        except BaseException:
            self._stop("error")  # take back what no sender has picked up yet
            raise
        finally:
            for _ in threads:
                self.inbox.put(None)
            self._flush()
        return self.tally

    def _top_up(self, cursor: int) -> tuple[bool, int]:
        opts = self.options
        reason = ("stop requested" if opts.stop.is_set() else opts.should_pause())
        if reason:
            self.tally.stopped = reason
            return True, cursor
        # Never more than 2 x concurrency claimed and unsettled: a kill leaves no more unknown.
        size = min(opts.batch, 2 * max(1, opts.concurrency) - self.in_flight)
        if opts.limit:
            size = min(size, opts.limit - self.claimed_total)
            if size <= 0:
                self.tally.stopped = f"limit of {opts.limit} messages reached"
                return True, cursor
        claimed, after = self.store.claim(self.job, cursor, size, _now())
        if not claimed:
            return after == cursor, after
        self.claimed_total += len(claimed)
        texts = self.renderer.texts([c.contact_id for c in claimed])
        for row in claimed:
            self._prepare(row, texts[row.contact_id])
        return False, after

    def _prepare(self, row: Claimed, text: str) -> None:
        if row.opted_out_of_all:
            self._settle(Settle(row.queue_id, row.contact_id, "failed",
                                error="not sent: the contact has both is_opt_out and "
                                      "do_not_sms (as SMSJob::deliver)"))
            return
        if row.phone is None:
            self._settle(Settle(row.queue_id, row.contact_id, "failed",
                                error="not sent: the phone was deleted after queueing"))
            return
        number = _e164(row.phone, self.options.region)
        if number is None:
            self._settle(Settle(row.queue_id, row.contact_id, "failed",
                                error=f"not a valid phone number: {row.phone!r}",
                                bounce="Invalid", text=text, activity_status="Cancelled"))
            return
        message = OutboundMessage(to=number, text=text, contact_id=row.contact_id,
                                  segments=self.renderer.segments(text))
        self.inbox.put(Item(row, text, message))
        self.in_flight += 1

    def _collect(self, timeout: float) -> None:
        try:
            first = self.outbox.get(timeout=timeout)
        except queue.Empty:
            return
        batch = [first]
        while True:
            try:
                batch.append(self.outbox.get_nowait())
            except queue.Empty:
                break
        for item, result, exc in batch:
            self.in_flight -= 1
            self._settle(self._outcome(item, result, exc))

    def _outcome(self, item: Item, result: SendResult | None,
                 exc: BaseException | None) -> Settle:
        row = item.claimed
        if result is not None:
            return Settle(row.queue_id, row.contact_id, "sent", message_id=result.message_id,
                          text=item.text, activity_status="Completed")
        decided = verdict(exc)  # the never-twice rule, shared by every send
        # A foreign exception's text may carry a secret (a header it failed to encode).
        error = self.provider.scrub(str(exc) if isinstance(exc, ProviderError)
                                    else f"{type(exc).__name__}: {exc}")
        code = getattr(exc, "code", None)
        shown = f"{code}: {error}" if code else error
        if decided.stop:
            self.tally.fatal = self.tally.fatal or error
            self._stop(f"gateway error: {error}")
        if decided.state == "failed":
            opted_out = bool(getattr(exc, "opted_out", False))
            return Settle(row.queue_id, row.contact_id, "failed", error=shown,
                          bounce="Spam" if opted_out else "Invalid", text=item.text,
                          activity_status="Cancelled")
        if decided.state == "release":
            self._stop(f"gateway unavailable, will retry on the next run: {error}")
            return Settle(row.queue_id, row.contact_id, "release")
        if not isinstance(exc, ProviderError):
            log.error("unexpected error sending queue row %s: %s", row.queue_id, error)
        return Settle(row.queue_id, row.contact_id, "unknown", error=shown[:512])

    def _stop(self, reason: str) -> None:
        """Stop claiming; take back what the senders have not picked up yet."""
        self.tally.stopped = self.tally.stopped or reason
        while True:
            try:
                item = self.inbox.get_nowait()
            except queue.Empty:
                return
            if item is None:  # pragma: no cover - only queued at shutdown
                continue
            self.in_flight -= 1
            self._settle(Settle(item.claimed.queue_id, item.claimed.contact_id, "release"))

    def _settle(self, outcome: Settle) -> None:
        self.outcomes.append(outcome)
        counter = {"sent": "sent", "failed": "failed", "unknown": "unknown",
                   "release": "released"}[outcome.state]
        setattr(self.tally, counter, getattr(self.tally, counter) + 1)

    def _flush(self) -> None:
        if not self.outcomes:
            return
        outcomes, self.outcomes = self.outcomes, []
        self.recorder.write(outcomes, _now())
        if self.options.progress is not None:
            self.options.progress(self.tally)


def _now() -> datetime:
    # CiviCRM writes local wall-clock time to the second (date('YmdHis')).
    return datetime.now().replace(microsecond=0)
