"""Mass SMS lifecycle: draft, update, preview, schedule ("Submit Mass SMS"), cancel,
pause, resume, status — in CiviCRM's own tables, as its SMS wizard leaves them.

Typical use (the demo, the job runner's tests)::

    store = mailings_for(civicrm)
    made = create(civicrm, store, MailingRequest(name="Spring", include_groups=("2",),
                  text="Hi {contact.first_name}!"), settings)
    schedule(civicrm, store, made.mailing.id, None, settings)   # now: creates the parent job

Every user mistake is an ``InputError`` raised before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from civisms.civicrm.base import CiviCRM
from civisms.civicrm.mailing_model import (
    CANCELED,
    COMPLETE,
    PAUSED,
    Mailing,
    MailingCounts,
    MailingDraft,
    MailingGroups,
)
from civisms.civicrm.mailing_recipients import RecipientReport
from civisms.civicrm.mailings import MailingStore
from civisms.errors import InputError, TextError
from civisms.sending import mailing_checks as checks
from civisms.sending import mailing_policy as policy
from civisms.sending import resolve
from civisms.text import Segmentation, Template

#: civicrm_mailing.scheduled_date is a TIMESTAMP: nothing at or after this fits.
TIMESTAMP_END = datetime(2038, 1, 19)


@dataclass(frozen=True)
class MailingRequest:
    """What a user asks for in ``mailing create`` / ``update`` (names, ids or titles)."""

    name: str | None = None
    provider: str | None = None
    include_groups: tuple[str, ...] = ()
    exclude_groups: tuple[str, ...] = ()
    include_mailings: tuple[int, ...] = ()
    exclude_mailings: tuple[int, ...] = ()
    base_groups: tuple[str, ...] = ()
    text: str | None = None
    text_file: str | None = None
    template: str | None = None
    save_template: str | None = None
    campaign: str | None = None
    dedupe_numbers: bool = True


@dataclass(frozen=True)
class MailingResult:
    """A mailing after a change, with the recipient computation that followed it."""

    mailing: Mailing
    report: RecipientReport
    job_id: int | None = None


@dataclass(frozen=True)
class Preview:
    """What one recipient would get, and the size of the whole send."""

    mailing: Mailing
    contact_id: int | None
    text: str | None
    segmentation: Segmentation | None
    total_segments: int
    recipients: int
    skipped_by_reason: dict[str, int]
    text_check: TextCheck | None = None
    #: Why ``contact_id`` (given with --contact) gets no SMS from this mailing; None: it does.
    not_texted: str | None = None


@dataclass(frozen=True)
class TextCheck:
    """The text measured for every recipient (``civisms.sending.mailing_policy``)."""

    most_segments: int
    total_segments: int
    max_segments: int
    over_policy: int
    policy_reason: str | None
    token_problems: tuple[str, ...]
    rendered_empty: tuple[str, ...]

    @classmethod
    def of(cls, measured: policy.Measure) -> TextCheck:
        """Summarise a measure."""
        template = measured.template
        return cls(measured.most_segments, measured.total_segments, measured.max_segments,
                   len(measured.over), measured.reason(), template.problems,
                   tuple(dict.fromkeys(t.text for t in template.unsupported)))


@dataclass(frozen=True)
class Status:
    """``mailing status``: the mailing and its progress."""

    mailing: Mailing
    counts: MailingCounts
    text_check: TextCheck | None = None
    #: Why civisms paused it and when, shown while the mailing is Paused (None: not by civisms).
    paused_by_civisms: tuple[str, datetime | None] | None = None


# -- drafts ---------------------------------------------------------------------------------


def create(civicrm: CiviCRM, store: MailingStore, request: MailingRequest,
           settings: Any) -> MailingResult:
    """A new draft ("Continue later"), its recipients computed as the wizard computes them."""
    if not request.name:
        raise InputError("a mailing needs a name (--name)")
    draft = _draft(civicrm, store, request, settings, base=None)
    _enforce_fixed_text(civicrm, draft.body_text, settings)
    mailing_id = store.create(draft)
    result = _recompute(store, mailing_id, settings, request.dedupe_numbers)
    try:
        _enforce_policy(civicrm, store, result.mailing, settings)
    except TextError:
        store.delete(mailing_id)  # refused: nothing of it is left behind
        raise
    return result


def update(civicrm: CiviCRM, store: MailingStore, mailing_id: int, request: MailingRequest,
           settings: Any) -> MailingResult:
    """Continue a draft: given options replace the stored ones; recipients recomputed.

    The mailing is held from the first read to the recomputation: a ``schedule`` or another
    ``update`` at the same time is refused (``ConflictError``), never interleaved."""
    with store.exclusive(mailing_id):
        current = store.get(mailing_id)
        _ensure_draft(current)
        draft = _draft(civicrm, store, request, settings, base=current)
        _enforce_fixed_text(civicrm, draft.body_text, settings)
        store.update(mailing_id, draft)
        result = _recompute(store, mailing_id, settings, request.dedupe_numbers)
        try:
            _enforce_policy(civicrm, store, result.mailing, settings)
        except TextError:
            store.update(mailing_id, _as_draft(current))  # refused: the draft as it was
            _recompute(store, mailing_id, settings, request.dedupe_numbers)
            raise
        return result


def _as_draft(mailing: Mailing) -> MailingDraft:
    return MailingDraft(
        name=mailing.name, provider_id=mailing.sms_provider_id or 0,
        from_name=mailing.from_name, groups=mailing.groups, body_text=mailing.body_text,
        msg_template_id=mailing.msg_template_id, campaign_id=mailing.campaign_id,
        created_id=mailing.created_id)


def _enforce_fixed_text(civicrm: CiviCRM, body: str | None, settings: Any) -> None:
    """A text without contact tokens is the same for everyone: judged before any write."""
    if body and not Template(body).needs.contact:
        policy.enforce(policy.measure(civicrm, body, [0], _max_segments(settings),
                                      lenient=False))


def _enforce_policy(civicrm: CiviCRM, store: MailingStore, mailing: Mailing,
                    settings: Any) -> None:
    """``TextError`` when a recipient's message is over ``CIVISMS_MAX_SEGMENTS``."""
    if mailing.body_text and Template(mailing.body_text).needs.contact:
        ids = [c for c, _ in store.recipient_rows(mailing.id)]
        policy.enforce(policy.measure(civicrm, mailing.body_text, ids,
                                      _max_segments(settings), lenient=False))


def _max_segments(settings: Any) -> int:
    return int(getattr(settings, "max_segments", 1) or 1)


def _draft(civicrm: CiviCRM, store: MailingStore, request: MailingRequest, settings: Any,
           base: Mailing | None) -> MailingDraft:
    provider = resolve.provider(civicrm, request.provider) if (
        request.provider or base is None) else None
    groups = _groups(civicrm, store, request, base)
    text, template_id = _text(civicrm, request, base)
    campaign_id = resolve.campaign(civicrm, request.campaign).id if request.campaign else (
        base.campaign_id if base else None)
    if request.save_template:
        if text is None:
            raise InputError("--save-template needs a message (--text, --file or --template)")
        template_id = civicrm.save_sms_template(request.save_template, text).id
    created = resolve.acting_user(civicrm, settings)
    return MailingDraft(
        name=request.name or (base.name if base else ""),
        provider_id=provider.id if provider else base.sms_provider_id,  # type: ignore[union-attr]
        # The wizard writes the provider's username as from_name (COMPAT §3.1).
        from_name=provider.username if provider else base.from_name,  # type: ignore[union-attr]
        groups=groups, body_text=text, msg_template_id=template_id, campaign_id=campaign_id,
        created_id=base.created_id if base else created,
    )


def _groups(civicrm: CiviCRM, store: MailingStore, request: MailingRequest,
            base: Mailing | None) -> MailingGroups:
    """The mailing's groups: on an update, each kind given replaces the stored one and the
    kinds not given are kept (``--exclude-group`` alone keeps the include groups)."""
    kept = base.groups if base is not None else MailingGroups()

    def ids(typed: tuple[str, ...], stored: tuple[int, ...]) -> tuple[int, ...]:
        if not typed:
            return stored
        return tuple(dict.fromkeys(resolve.group(civicrm, g).id for g in typed))

    def mailing_ids(typed: tuple[int, ...], stored: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(dict.fromkeys(int(m) for m in typed)) if typed else stored

    include = ids(request.include_groups, kept.include_groups)
    exclude = ids(request.exclude_groups, kept.exclude_groups)
    bases = ids(request.base_groups, kept.base_groups)
    inc_m = mailing_ids(request.include_mailings, kept.include_mailings)
    exc_m = mailing_ids(request.exclude_mailings, kept.exclude_mailings)
    if not include and not inc_m:
        raise InputError("no recipients: give --include-group (or --include-mailing)")
    _refuse_overlap("group", include, exclude)
    _refuse_overlap("mailing", inc_m, exc_m)
    unknown = sorted(set(inc_m + exc_m) - store.sms_mailing_ids([*inc_m, *exc_m]))
    if unknown:
        raise InputError(f"no SMS mailing with id {unknown[0]}")
    return MailingGroups(include, exclude, inc_m, exc_m, bases)


def _refuse_overlap(kind: str, include: Sequence[int], exclude: Sequence[int]) -> None:
    both = sorted(set(include) & set(exclude))
    if both:
        # The wizard's formRule refuses this too ("cannot be both included and excluded").
        raise InputError(f"{kind} {both[0]} is both included and excluded; choose one")


def _text(civicrm: CiviCRM, request: MailingRequest,
          base: Mailing | None) -> tuple[str | None, int | None]:
    given = [x for x in (request.text, request.text_file, request.template) if x is not None]
    if len(given) > 1:
        raise InputError("give at most one of --text, --file or --template")
    if request.text is not None:
        text, template_id = request.text, None
    elif request.text_file is not None:
        text, template_id = resolve.read_text_file(request.text_file), None
    elif request.template is not None:
        chosen = resolve.template(civicrm, request.template)
        text, template_id = chosen.text, chosen.id
    else:
        return (base.body_text, base.msg_template_id) if base else (None, None)
    if not text.strip():
        raise InputError("the message is empty")
    Template(text)  # unknown tokens: TextError now, not at send time
    return text, template_id


def _recompute(store: MailingStore, mailing_id: int, settings: Any,
               dedupe_numbers: bool) -> MailingResult:
    mailing = store.get(mailing_id)
    report = store.compute_recipients(
        mailing_id, mailing.groups, region=settings.default_region,
        dedupe_numbers=dedupe_numbers and getattr(settings, "dedupe_numbers", True),
    )
    return MailingResult(replace(mailing, recipients=report.recipients), report)


def _ensure_draft(mailing: Mailing) -> None:
    if not mailing.is_draft:
        raise InputError(f"mailing {mailing.id} is {mailing.status}, not a draft; "
                         "only drafts can be changed or scheduled")


# -- preview ---------------------------------------------------------------------------------


def preview(civicrm: CiviCRM, store: MailingStore, mailing_id: int, settings: Any,
            contact: str | None = None) -> Preview:
    """The text one recipient gets (the first, or ``contact``), segments per message and in
    total. A draft's recipients are recomputed first, as every wizard step does."""
    mailing = store.get(mailing_id)
    skipped: dict[str, int] = {}
    report: RecipientReport | None = None
    if mailing.is_draft:
        result = _recompute(store, mailing_id, settings, True)
        mailing, report = result.mailing, result.report
        skipped = report.skipped_by_reason()
    rows = store.recipient_rows(mailing_id)
    if not mailing.body_text:
        return Preview(mailing, None, None, None, 0, len(rows), skipped)
    chosen = _preview_contact(civicrm, contact, rows)
    not_texted = (checks.why_not_texted(civicrm, settings, chosen, rows, report)
                  if contact is not None else None)
    ids = [c for c, _ in rows]
    # Lenient: a text made in CiviCRM is shown with what a job would do about its tokens.
    measured = policy.measure(civicrm, mailing.body_text, ids, _max_segments(settings))
    seg = measured.segmentation(chosen) if chosen is not None else None
    text = measured.texts.get(chosen) if chosen is not None else None
    if chosen is not None and text is None:  # --contact outside the recipients
        alone = policy.measure(civicrm, mailing.body_text, [chosen], _max_segments(settings))
        text, seg = alone.texts[chosen], alone.segmentation(chosen)
    return Preview(mailing, chosen, text, seg, measured.total_segments, len(rows), skipped,
                   TextCheck.of(measured), not_texted)


def _preview_contact(civicrm: CiviCRM, typed: str | None,
                     rows: list[tuple[int, int | None]]) -> int | None:
    if typed is not None:
        return resolve.contact(civicrm, typed).id
    return rows[0][0] if rows else None


# -- scheduling ------------------------------------------------------------------------------


def schedule(civicrm: CiviCRM, store: MailingStore, mailing_id: int,
             when: datetime | None, settings: Any, *, dedupe_numbers: bool = True) -> MailingResult:
    """"Submit Mass SMS": now (``when`` None) or later; recipients recomputed, parent job
    created. A past date, a submitted mailing or an empty message are refused; so is a
    mailing another command is updating or scheduling at the same time (``ConflictError``)."""
    with store.exclusive(mailing_id):
        return _schedule(civicrm, store, mailing_id, when, settings, dedupe_numbers)


def _schedule(civicrm: CiviCRM, store: MailingStore, mailing_id: int, when: datetime | None,
              settings: Any, dedupe_numbers: bool) -> MailingResult:
    mailing = store.get(mailing_id)
    _ensure_draft(mailing)
    if not (mailing.body_text or "").strip() or mailing.body_text == "NULL":
        # API3 Mailing.create's check for SMS (COMPAT §3.4).
        raise InputError(f"mailing {mailing_id} cannot be sent: it has no message text "
                         "(add one with 'civisms mailing update --text')")
    checks.ensure_served(civicrm, mailing)
    now = datetime.now().replace(microsecond=0)
    if when is not None and when < now.replace(second=0):
        raise InputError(f"{when:%Y-%m-%d %H:%M} is in the past; give a later time or --now")
    if when is not None and when >= TIMESTAMP_END:
        raise InputError(f"{when:%Y-%m-%d %H:%M} is too far ahead: CiviCRM stores the date in "
                         "a TIMESTAMP column, which ends in January 2038")
    Template(mailing.body_text or "")  # a text made in CiviCRM: its tokens checked too
    result = _recompute(store, mailing_id, settings, dedupe_numbers)
    _enforce_fixed_text(civicrm, mailing.body_text, settings)
    _enforce_policy(civicrm, store, result.mailing, settings)
    user = resolve.acting_user(civicrm, settings)
    job_id = store.submit(mailing_id, when or now, user)
    return MailingResult(store.get(mailing_id), result.report, job_id)


def cancel(store: MailingStore, mailing_id: int) -> Mailing:
    """Cancel a scheduled, running or paused mailing (and its child jobs)."""
    mailing = store.get(mailing_id)
    if not store.cancel(mailing_id):
        raise InputError(f"mailing {mailing_id} is {mailing.status}: only a scheduled, running "
                         "or paused mailing can be canceled")
    return store.get(mailing_id)


def pause(store: MailingStore, mailing_id: int) -> Mailing:
    """Pause a scheduled or running mailing."""
    mailing = store.get(mailing_id)
    if mailing.is_draft or mailing.status in (COMPLETE, CANCELED):
        raise InputError(f"mailing {mailing_id} is {mailing.status}: only a scheduled or "
                         "running mailing can be paused")
    store.pause(mailing_id)
    return store.get(mailing_id)


def resume(store: MailingStore, mailing_id: int, *, max_segments: int | None = None,
           user: int | None = None) -> Mailing:
    """Resume a paused mailing; ``max_segments``: let ``jobs run`` send its messages of up to
    that many segments (a mailing paused as over the length policy)."""
    mailing = store.get(mailing_id)
    if max_segments is not None:
        if mailing.status != PAUSED:
            raise InputError(f"mailing {mailing_id} is {mailing.status}, not paused")
        store.allow_segments(mailing_id, max_segments, user)
    if not store.resume(mailing_id):
        raise InputError(f"mailing {mailing_id} is {mailing.status}, not paused")
    return store.get(mailing_id)


def status(store: MailingStore, mailing_id: int, civicrm: CiviCRM | None = None,
           settings: Any = None) -> Status:
    """The mailing and its counts (recipients, queued, sent, delivered, failed, unknown);
    with ``civicrm``, its text measured for every recipient too (segments, tokens); while
    Paused, why civisms paused it (when it did)."""
    mailing = store.get(mailing_id)
    check = None
    if civicrm is not None and mailing.body_text:
        ids = [c for c, _ in store.recipient_rows(mailing_id)]
        check = TextCheck.of(policy.measure(civicrm, mailing.body_text, ids,
                                            _max_segments(settings)))
    reason = None
    if mailing.status == PAUSED and hasattr(store, "pause_reason"):
        reason = store.pause_reason(mailing_id)  # api4 cannot read civisms' own table
    return Status(mailing, store.counts(mailing_id), check, reason)


def listing(store: MailingStore, which: str | None = None) -> list[Mailing]:
    """SMS mailings: all, or ``drafts`` / ``scheduled`` (scheduled, running, paused) /
    ``sent`` (complete), as CiviCRM's "Find Mass SMS" filters them."""
    mailings = store.list()
    if which == "drafts":
        return [m for m in mailings if m.scheduled_id is None and m.status == "Draft"]
    if which == "scheduled":
        return [m for m in mailings if m.status in ("Scheduled", "Running", "Paused")]
    if which == "sent":
        return [m for m in mailings if m.status == COMPLETE]
    return mailings
