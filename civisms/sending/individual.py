"""A one-off SMS to chosen contacts, recorded as CiviCRM 6.17 records it.

``plan`` checks everything before anything is sent or written: recipients and why others
are skipped, every rendered message against the length policy. ``execute`` then writes
the ``SMS`` activity (label "Outbound SMS") first, sends concurrently within the
provider's rate limit, and records each outcome as it comes back: an ``SMS delivery``
activity per message (``Cancelled`` with the gateway's error in ``location`` for a refusal)
and an ``Activity Targets`` row on the ``SMS`` activity per contact actually texted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from civisms.civicrm.base import CiviCRM
from civisms.errors import FatalProviderError, ProviderError, TextError, TransientError
from civisms.model import Activity, SmsProvider
from civisms.providers.base import OutboundMessage, Provider, SendResult
from civisms.providers.http import send_with_retry
from civisms.recipients import Recipient, RecipientList, choose_recipients
from civisms.sending.throttle import TokenBucket
from civisms.text import ContactRenderer, Segmentation, Template, judge, segment

#: Messages in flight at once; the token bucket, not this, sets the pace.
DEFAULT_WORKERS = 32
#: Outcomes written to CiviCRM per batch (one multi-row INSERT on the db backend).
RECORD_BATCH = 100
RECORD_EVERY = 0.5


@dataclass(frozen=True, slots=True)
class Planned:
    """One message ready to go: who, on which number, what text, how many segments."""

    recipient: Recipient
    text: str
    segmentation: Segmentation


@dataclass
class SendPlan:
    """Everything checked before sending: the messages, the skipped contacts."""

    name: str
    text: str
    provider: SmsProvider
    source_contact_id: int
    campaign_id: int | None
    recipients: RecipientList
    messages: list[Planned]

    @property
    def total_segments(self) -> int:
        return sum(m.segmentation.segments for m in self.messages)


@dataclass(frozen=True, slots=True)
class Sent:
    contact_id: int
    phone: str
    provider_message_id: str | None
    segments: int


@dataclass(frozen=True, slots=True)
class Failed:
    contact_id: int
    phone: str
    error: str
    code: str | None = None
    opted_out: bool = False


@dataclass
class SendOutcome:
    """What happened: the ``SMS`` activity, sent and failed messages, why a run stopped."""

    activity_id: int | None
    sent: list[Sent] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    stopped: str | None = None


def plan(
    civicrm: CiviCRM,
    *,
    name: str,
    text: str,
    provider: SmsProvider,
    contact_ids: Sequence[int],
    source_contact_id: int,
    campaign_id: int | None = None,
    region: str | None = None,
    max_segments: int = 1,
    unknown_tokens: str = "error",
) -> SendPlan:
    """Choose recipients, render and segment every message, enforce the length policy.

    Raises ``TextError`` (unknown token, or a rendered message over the policy, naming
    the contact, the count, the limit and the characters responsible).
    """
    template = Template(text, unknown=unknown_tokens)  # type: ignore[arg-type]
    contacts = civicrm.contacts(contact_ids, sorted(template.needs.contact_fields))
    chosen = choose_recipients(contact_ids, contacts, region=region, bulk=False)
    texts = ContactRenderer(civicrm, template).render_all([r.contact for r in chosen.recipients])
    messages = []
    for recipient in chosen.recipients:
        rendered = texts[recipient.contact_id]
        seg = segment(rendered)
        verdict = judge(seg, max_segments)
        if not verdict.within_policy:
            raise TextError(f"for contact {recipient.contact_id}: {verdict.reason}")
        messages.append(Planned(recipient, rendered, seg))
    return SendPlan(name, text, provider, source_contact_id, campaign_id, chosen, messages)


def execute(
    civicrm: CiviCRM,
    send_plan: SendPlan,
    provider: Provider,
    *,
    workers: int = DEFAULT_WORKERS,
    throttle: TokenBucket | None = None,
    progress: Callable[[int], None] | None = None,
) -> SendOutcome:
    """Write the ``SMS`` activity, send every planned message, record every outcome."""
    sms_activity = civicrm.create_activity(
        Activity(
            activity_type="SMS", source_contact_id=send_plan.source_contact_id,
            status="Completed", subject=send_plan.name, details=send_plan.text,
            campaign_id=send_plan.campaign_id,
        )
    )
    outcome = SendOutcome(activity_id=sms_activity)
    # burst=1: no window of T seconds ever carries more than rate·T segments.
    bucket = throttle or TokenBucket(provider.mps)
    recorder = _Recorder(civicrm, send_plan, sms_activity)
    pending: dict[Future[SendResult], Planned] = {}
    queue = list(reversed(send_plan.messages))
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="sms") as pool:
        while queue or pending:
            while queue and len(pending) < workers * 2 and outcome.stopped is None:
                item = queue.pop()
                message = OutboundMessage(
                    to=item.recipient.e164, text=item.text, contact_id=item.recipient.contact_id,
                    segments=item.segmentation.segments,
                )
                pending[pool.submit(send_with_retry, provider, message, throttle=bucket)] = item
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                item = pending.pop(future)
                _settle(future, item, outcome, recorder)
                if progress is not None:
                    progress(1)
            recorder.flush(force=False)
        for item in reversed(queue):  # never handed to the gateway: the run stopped
            reason = f"not sent: {outcome.stopped}"
            outcome.failed.append(Failed(item.recipient.contact_id, item.recipient.e164, reason))
    recorder.flush(force=True)
    order = {m.recipient.contact_id: i for i, m in enumerate(send_plan.messages)}
    outcome.sent.sort(key=lambda s: order[s.contact_id])
    outcome.failed.sort(key=lambda f: order[f.contact_id])
    return outcome


def _settle(
    future: Future[SendResult], item: Planned, outcome: SendOutcome, rec: _Recorder
) -> None:
    contact_id, phone = item.recipient.contact_id, item.recipient.e164
    try:
        result = future.result()
    except FatalProviderError as exc:
        outcome.stopped = outcome.stopped or str(exc)
        outcome.failed.append(Failed(contact_id, phone, f"not sent: {exc}", exc.code))
        return
    except TransientError as exc:
        # Retries exhausted; a read timeout may still have been delivered: say so.
        failure = Failed(contact_id, phone, f"gateway did not accept it after retries: {exc}",
                         exc.code)
        outcome.failed.append(failure)
        rec.failed(item, failure)
        return
    except ProviderError as exc:
        failure = Failed(contact_id, phone, str(exc), exc.code,
                         bool(getattr(exc, "opted_out", False)))
        outcome.failed.append(failure)
        rec.failed(item, failure)
        return
    sent = Sent(contact_id, phone, result.message_id, result.segments or item.segmentation.segments)
    outcome.sent.append(sent)
    rec.sent(item, result)


class _Recorder:
    """Buffers outcomes and writes them in batches: delivery activities, then targets."""

    def __init__(self, civicrm: CiviCRM, send_plan: SendPlan, sms_activity: int) -> None:
        self.civicrm = civicrm
        self.plan = send_plan
        self.sms_activity = sms_activity
        self.activities: list[Activity] = []
        self.targets: list[int] = []
        self.last_flush = time.monotonic()

    def sent(self, item: Planned, result: SendResult) -> None:
        self.activities.append(self._delivery(item, "Completed", result=result.message_id))
        self.targets.append(item.recipient.contact_id)

    def failed(self, item: Planned, failure: Failed) -> None:
        location = f"{failure.code}: {failure.error}" if failure.code else failure.error
        self.activities.append(self._delivery(item, "Cancelled", location=location[:255]))

    def _delivery(self, item: Planned, status: str, **extra: str | None) -> Activity:
        return Activity(
            activity_type="SMS delivery", source_contact_id=self.plan.source_contact_id,
            status=status, details=item.text, targets=(item.recipient.contact_id,),
            **extra,  # type: ignore[arg-type]
        )

    def flush(self, *, force: bool) -> None:
        # Written at least every RECORD_EVERY seconds, so a crash loses track of nothing
        # that a moment's batch could hold.
        due = len(self.activities) >= RECORD_BATCH or (
            time.monotonic() - self.last_flush >= RECORD_EVERY
        )
        if not self.activities or not (force or due):
            return
        self.last_flush = time.monotonic()
        self.civicrm.create_activities(self.activities)
        if self.targets:
            self.civicrm.add_activity_targets(self.sms_activity, self.targets)
        self.activities, self.targets = [], []
