"""A one-off SMS to chosen contacts, recorded as CiviCRM 6.17 records it.

``plan`` checks everything before anything is sent or written: recipients and why others
are skipped, every rendered message against the length policy. ``start`` then journals the
send (one ``civisms_outbox`` row per message, pending) and writes the ``SMS`` activity
(label "Outbound SMS"); ``run`` sends through the shared engine (``outbox.drain``) within
the provider's rate limit and records each outcome as it comes back: an ``SMS delivery``
activity per message (``Cancelled`` with the gateway's error in ``location`` for a refusal)
and an ``Activity Targets`` row on the ``SMS`` activity per contact actually texted. An
interrupted send is finished by ``run`` again (``civisms send --resume``): only messages
never attempted are sent; ``unknown`` ones wait for ``resolve_unknown``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from civisms.civicrm.base import CiviCRM
from civisms.errors import InputError, TextError
from civisms.model import Activity, SmsProvider
from civisms.providers.base import Provider
from civisms.providers.registry import discover
from civisms.recipients import Recipient, RecipientList, choose_recipients
from civisms.sending.engine import Options
from civisms.sending.journal import Journal
from civisms.sending.outbox import drain
from civisms.sending.throttle import TokenBucket
from civisms.text import ContactRenderer, Segmentation, Template, judge, segment
from civisms.text.segments import Cut

#: Messages in flight at once; the token bucket, not this, sets the pace.
DEFAULT_WORKERS = 32


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


@dataclass
class SendOutcome:
    """Where a send stands: its id, its ``SMS`` activity, each message by state."""

    send_id: int
    activity_id: int | None
    sent: list[Sent] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    unknown: list[Failed] = field(default_factory=list)
    pending: list[Failed] = field(default_factory=list)  # never attempted: resumable
    stopped: str | None = None
    exit_signal: int = 0  # the signal that stopped it, if one did

    @property
    def finished(self) -> bool:
        return not self.pending


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
    cut = _segment_cut(provider)
    for recipient in chosen.recipients:
        rendered = texts[recipient.contact_id]
        seg = segment(rendered, cut=cut)
        verdict = judge(seg, max_segments)
        if not verdict.within_policy:
            raise TextError(f"for contact {recipient.contact_id}: {verdict.reason}")
        messages.append(Planned(recipient, rendered, seg))
    return SendPlan(name, text, provider, source_contact_id, campaign_id, chosen, messages)


def _segment_cut(row: SmsProvider) -> Cut:
    # Count as this row's gateway cuts (Kannel splits an emoji where Twilio would not).
    cls = discover().by_extension_key().get(row.name.strip())
    return cls.segment_cut if cls is not None else "grapheme"  # no adapter: send says so


def default_options() -> Options:
    """How a one-off send runs: messages in flight, and at most twice that claimed."""
    return Options(concurrency=DEFAULT_WORKERS, batch=2 * DEFAULT_WORKERS)


def start(civicrm: CiviCRM, journal: Journal, send_plan: SendPlan) -> int:
    """Journal the send and every message (pending), write its ``SMS`` activity; its id.

    With the db backend this is one transaction: a crash leaves the whole send or nothing.
    """
    journal.prepare()
    messages = [(m.recipient.contact_id, m.recipient.e164, m.text, m.segmentation.segments)
                for m in send_plan.messages]
    with journal.conn.transaction():
        send_id = journal.open_send(
            name=send_plan.name, body=send_plan.text, provider_id=send_plan.provider.id,
            source_contact_id=send_plan.source_contact_id, campaign_id=send_plan.campaign_id,
            messages=messages)
        activity_id = civicrm.create_activity(Activity(
            activity_type="SMS", source_contact_id=send_plan.source_contact_id,
            status="Completed", subject=send_plan.name, details=send_plan.text,
            campaign_id=send_plan.campaign_id))
        journal.set_activity(send_id, activity_id)
    return send_id


def send(civicrm: CiviCRM, journal: Journal, send_plan: SendPlan, provider: Provider, *,
         options: Options | None = None) -> SendOutcome:
    """``start`` then ``run``: journal, record and send a planned send in one call."""
    return run(civicrm, journal, start(civicrm, journal, send_plan), provider, options=options)


def run(civicrm: CiviCRM, journal: Journal, send_id: int, provider: Provider, *,
        options: Options | None = None, resolve_unknown: str | None = None) -> SendOutcome:
    """Send what is pending in a send (first settling ``unknown`` ones when told: ``resend``
    or ``failed``), record every outcome, and return where the send stands."""
    send = journal.send(send_id)
    if send is None:
        raise InputError(f"no send {send_id}: see civisms send --list")
    opts = options or default_options()
    if resolve_unknown:
        lock = f"send.{send_id}"
        if not journal.acquire(lock):
            raise InputError(f"send {send_id} is being sent by another civisms right now")
        try:
            journal.mark_stale(send_id)
            journal.resolve_unknown(send_id, resolve_unknown)
        finally:
            journal.release(lock)
    # burst=1: no window of T seconds ever carries more than rate·T segments.
    tally = drain(civicrm, journal, provider, send["provider_id"], send_id=send_id,
                  options=opts, bucket=TokenBucket(provider.mps))
    return status(journal, send_id, stopped=tally.stopped)


def status(journal: Journal, send_id: int, *, stopped: str | None = None) -> SendOutcome:
    """A send's messages by state, read from the journal."""
    send = journal.send(send_id)
    if send is None:
        raise InputError(f"no send {send_id}: see civisms send --list")
    outcome = SendOutcome(send_id, send["activity_id"], stopped=stopped)
    for row in journal.messages(send_id):
        contact, phone, error = row["contact_id"], row["phone"], row["error"] or ""
        if row["state"] == "sent":
            outcome.sent.append(Sent(contact, phone, row["gateway_id"], row["segments"]))
        elif row["state"] == "failed":
            outcome.failed.append(Failed(contact, phone, error))
        elif row["state"] in ("unknown", "sending"):
            outcome.unknown.append(Failed(contact, phone, error or "outcome unknown"))
        else:
            outcome.pending.append(Failed(contact, phone, "not sent yet"))
    return outcome
