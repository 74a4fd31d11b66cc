"""Delivering one child job: claim rows, render, send many at once, record in batches.

The shared engine (``civisms.sending.engine``) runs the loop: the main thread claims rows
(marking them 'sending' *before* any gateway call), renders them, hands them to sender
threads, and writes their outcomes in batches; this module says how a mass SMS claims,
renders and records.

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
from datetime import datetime
from typing import Any

from civisms.civicrm.jobrecord import Recorder
from civisms.civicrm.jobstore import Claimed, JobStore, MailerSettings, Settle
from civisms.errors import ProviderError, verdict
from civisms.numbers import NumberNormalizer
from civisms.providers.base import OutboundMessage, Provider, SendResult
from civisms.sending.engine import CHECK_EVERY, ENGINE_POLICY, Engine, Options, Tally, Work
from civisms.sending.throttle import TokenBucket
from civisms.text import ContactRenderer, Template
from civisms.text.segments import count as segment_count

log = logging.getLogger("civisms.jobs")

#: Mass sending never retries what may have reached the gateway.
MASS_POLICY = ENGINE_POLICY
#: Seconds between checks that the job is still Running (CiviCRM: every sync interval).
STATUS_EVERY = CHECK_EVERY
__all__ = ["MASS_POLICY", "Delivery", "Options", "Renderer", "Tally"]


class Renderer:
    """The mailing's text parsed once; per-contact values fetched per batch."""

    def __init__(self, store: JobStore, body: str) -> None:
        # A mailing made in CiviCRM: real tokens civisms lacks render empty; a text with
        # unknown or unclosed ones never gets here (jobs.py pauses it; docs/tokens.md).
        self.template = Template(body, unknown="lenient")
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
            count = segment_count(text)
            if len(self._segments) < 10000:
                self._segments[text] = count
        return count


class Delivery(Engine):
    """Delivers one child job in this process (see the module docstring)."""

    def __init__(self, store: JobStore, job: dict[str, Any], mailing: dict[str, Any],
                 settings: MailerSettings, provider: Provider, bucket: TokenBucket | None,
                 options: Options) -> None:
        super().__init__(provider, bucket, options)
        self.store = store
        self.job = job
        self.renderer = Renderer(store, mailing["body_text"] or "")
        self.recorder = Recorder(store, mailing, job, settings)
        self.cursor = 0
        # to_e164's answers, decided without phonenumbers.parse for nearly every number.
        self.numbers = NumberNormalizer(options.region)
        #: Segments one message may cost (CIVISMS_MAX_SEGMENTS, or the mailing's override).
        self.max_segments: int | None = None

    def claim(self, size: int) -> bool:
        cursor = self.cursor
        claimed, self.cursor = self.store.claim(self.job, cursor, size, _now())
        if not claimed:
            return self.cursor == cursor
        self.claimed_total += len(claimed)
        texts = self.renderer.texts([c.contact_id for c in claimed])
        numbers = self.numbers.many([c.phone for c in claimed])
        for row, digits in zip(claimed, numbers, strict=True):
            self._prepare(row, texts[row.contact_id], digits)
        return False

    def check(self) -> str | None:
        status = self.store.job_status(self.job["id"])
        return None if status == "Running" else f"job {self.job['id']} is {status}"

    def release(self, work: Work) -> Settle:
        return Settle(work.row.queue_id, work.row.contact_id, "release")

    def abandon(self, work: Work) -> Settle:
        return Settle(work.row.queue_id, work.row.contact_id, "unknown",
                      error="abandoned while with the gateway (the run was interrupted)")

    def write(self, outcomes: list[Any]) -> None:
        self.recorder.write(outcomes, _now())

    def _prepare(self, row: Claimed, text: str, digits: int | None) -> None:
        if self.tally.fatal:  # the mailing is being paused: nothing more is handed over
            self.settle(Settle(row.queue_id, row.contact_id, "release"))
            return
        segments = self.renderer.segments(text)
        if self.max_segments and segments > self.max_segments:
            self.settle(Settle(row.queue_id, row.contact_id, "release"))
            self.tally.fatal = (
                f"the message for contact {row.contact_id} is {segments} SMS segments, over "
                f"CIVISMS_MAX_SEGMENTS={self.max_segments}; shorten it in CiviCRM, or send "
                f"it anyway: civisms mailing resume {self.job['mailing_id']} "
                f"--max-segments {segments}")
            self.stop(f"over the length policy: {self.tally.fatal}")
            return
        if row.opted_out_of_all:
            self.settle(Settle(row.queue_id, row.contact_id, "failed",
                               error="not sent: the contact has both is_opt_out and "
                                     "do_not_sms (as SMSJob::deliver)"))
            return
        if row.phone is None:
            self.settle(Settle(row.queue_id, row.contact_id, "failed",
                               error="not sent: the phone was deleted after queueing"))
            return
        if digits is None:
            self.settle(Settle(row.queue_id, row.contact_id, "failed",
                               error=f"not a valid phone number: {row.phone!r}",
                               bounce="Invalid", text=text, activity_status="Cancelled"))
            return
        message = OutboundMessage(to=f"+{digits}", text=text, contact_id=row.contact_id,
                                  segments=segments)
        self.hand(Work(row, text, message))

    def outcome(self, work: Work, result: SendResult | None,
                exc: BaseException | None) -> Settle:
        row, item = work.row, work
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
            self.stop(f"gateway error: {error}")
        if decided.state == "failed":
            opted_out = bool(getattr(exc, "opted_out", False))
            return Settle(row.queue_id, row.contact_id, "failed", error=shown,
                          bounce="Spam" if opted_out else "Invalid", text=item.text,
                          activity_status="Cancelled")
        if decided.state == "release":
            self.stop(f"gateway unavailable, will retry on the next run: {error}")
            return Settle(row.queue_id, row.contact_id, "release")
        if not isinstance(exc, ProviderError):
            log.error("unexpected error sending queue row %s: %s", row.queue_id, error)
        return Settle(row.queue_id, row.contact_id, "unknown", error=shown[:512])


def _now() -> datetime:
    # CiviCRM writes local wall-clock time to the second (date('YmdHis')).
    return datetime.now().replace(microsecond=0)
