"""``civisms mailing``: mass SMS in CiviCRM's own tables, as its SMS wizard writes them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from civisms.cli import mailing_words as describe
from civisms.cli import print_json, printable
from civisms.cli.words import REASON_WORDS, plural, reason_words, skip_lines
from civisms.errors import InputError
from civisms.sending import mailing as lifecycle
from civisms.sending import resolve


def _draft_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options ``create`` and ``update`` share (the wizard's Group and Upload steps)."""
    options = [
        click.option("--name", help="The SMS name (also the Mass SMS activity subject)."),
        click.option("--provider", metavar="ID|TITLE", help="SMS provider (default: the "
                     "site's default)."),
        click.option("--include-group", "include_groups", multiple=True, metavar="NAME|ID",
                     help="Text this group's members (repeatable; smart groups too)."),
        click.option("--exclude-group", "exclude_groups", multiple=True, metavar="NAME|ID",
                     help="Never text this group's members (repeatable)."),
        click.option("--include-mailing", "include_mailings", multiple=True, type=int,
                     metavar="ID", help="Text the recipients of an earlier SMS mailing."),
        click.option("--exclude-mailing", "exclude_mailings", multiple=True, type=int,
                     metavar="ID", help="Skip the recipients of an earlier SMS mailing."),
        click.option("--text", help="The message; tokens such as {contact.first_name}."),
        click.option("--file", "text_file", type=click.Path(dir_okay=False),
                     help="Message from a UTF-8 file (at most 1 MB)."),
        click.option("--template", metavar="ID|TITLE", help="Message from an SMS template."),
        click.option("--save-template", metavar="TITLE",
                     help="Also save the message as a new SMS template."),
        click.option("--campaign", metavar="ID|TITLE", help="Record it under a campaign."),
        click.option("--keep-shared-numbers", is_flag=True,
                     help="Text every contact of a shared number (default: the first only)."),
        click.option("--json", "as_json", is_flag=True, help="Print JSON."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _request(kw: dict[str, Any]) -> lifecycle.MailingRequest:
    return lifecycle.MailingRequest(
        name=kw["name"], provider=kw["provider"], include_groups=kw["include_groups"],
        exclude_groups=kw["exclude_groups"], include_mailings=kw["include_mailings"],
        exclude_mailings=kw["exclude_mailings"], text=kw["text"], text_file=kw["text_file"],
        template=kw["template"], save_template=kw["save_template"], campaign=kw["campaign"],
        dedupe_numbers=not kw["keep_shared_numbers"],
    )


class _Session:
    """The backend and its mailing store, opened once per command."""

    def __init__(self, obj: Any) -> None:
        from civisms.civicrm.mailings import mailings_for

        self.settings = obj.settings
        self.civicrm = obj.civicrm()
        self.store = mailings_for(self.civicrm)

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.civicrm.close()


@click.group("mailing")
def command() -> None:
    """Mass SMS: create a draft, preview it, schedule it, follow it.

    Writes CiviCRM's own rows (civicrm_mailing, civicrm_mailing_group,
    civicrm_mailing_recipients, civicrm_mailing_job), so the mailing shows in
    CiviCRM's "Find Mass SMS" and reports.

    \b
    Example:
        civisms mailing create --name "Spring drive" --include-group "SMS Supporters" \\
            --exclude-group "Board Members" --text "Hi {contact.first_name}!"
        civisms mailing schedule 7 --now
    """


@command.command("create")
@_draft_options
@click.pass_obj
def create(obj: Any, **kw: Any) -> None:
    """Create a draft ("Continue later") and compute its recipients.

    \b
    Example:
        civisms mailing create --name "Spring drive" --include-group 2 --exclude-group 3 \\
            --text "Hi {contact.first_name}, see you Saturday!"
    """
    with _Session(obj) as s:
        describe.warn_inactive_groups(s.civicrm, kw["include_groups"])
        result = lifecycle.create(s.civicrm, s.store, _request(kw), s.settings)
    _print_result("created", result, kw["as_json"])


@command.command("update")
@click.argument("mailing_id", type=int)
@_draft_options
@click.pass_obj
def update(obj: Any, mailing_id: int, **kw: Any) -> None:
    """Continue a draft: change what is given, recompute the recipients.

    \b
    Example:
        civisms mailing update 7 --text "Hi {contact.first_name}, now at 11:00!"
    """
    with _Session(obj) as s:
        describe.warn_inactive_groups(s.civicrm, kw["include_groups"])
        result = lifecycle.update(s.civicrm, s.store, mailing_id, _request(kw), s.settings)
    _print_result("updated", result, kw["as_json"])


@command.command("list")
@click.option("--drafts", "which", flag_value="drafts", help="Drafts only.")
@click.option("--scheduled", "which", flag_value="scheduled",
              help="Scheduled, running or paused only.")
@click.option("--sent", "which", flag_value="sent", help="Completed only.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def list_(obj: Any, which: str | None, as_json: bool) -> None:
    """List SMS mailings (CiviCRM's "Is SMS" filter), newest first.

    \b
    Example:
        civisms mailing list --drafts
    """
    with _Session(obj) as s:
        mailings = lifecycle.listing(s.store, which)
    if as_json:
        print_json([_mailing_json(m) for m in mailings])
        return
    if not mailings:
        click.echo("no SMS mailings" + (f" ({which})" if which else ""))
        return
    click.echo(f"{'id':>6}  {'status':<10} {'scheduled':<16} {'recipients':>10}  name")
    for m in mailings:
        when = f"{m.scheduled_date:%Y-%m-%d %H:%M}" if m.scheduled_date else "-"
        click.echo(f"{m.id:>6}  {m.status:<10} {when:<16} {m.recipients:>10,}  "
                   f"{printable(m.name)}")


@command.command("show")
@click.argument("mailing_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def show(obj: Any, mailing_id: int, as_json: bool) -> None:
    """Show one SMS mailing: text, groups, status, recipients.

    \b
    Example:
        civisms mailing show 7
    """
    with _Session(obj) as s:
        mailing = s.store.get(mailing_id)
        if as_json:
            print_json(_mailing_json(mailing))
            return
        lines = describe.mailing_lines(s.civicrm, mailing)
    for line in lines:
        click.echo(printable(line))


@command.command("preview")
@click.argument("mailing_id", type=int)
@click.option("--contact", metavar="ID|EMAIL|NAME", help="Render for this contact.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def preview(obj: Any, mailing_id: int, contact: str | None, as_json: bool) -> None:
    """The message as one recipient gets it, its encoding and segments, and who is skipped.

    \b
    Example:
        civisms mailing preview 7 --contact 3
    """
    with _Session(obj) as s:
        p = lifecycle.preview(s.civicrm, s.store, mailing_id, s.settings, contact)
    seg = p.segmentation
    data = {
        "id": p.mailing.id, "contact_id": p.contact_id, "text": p.text,
        "encoding": seg.encoding if seg else None, "segments": seg.segments if seg else 0,
        "total_segments": p.total_segments, "recipients": p.recipients,
        "skipped_by_reason": p.skipped_by_reason, **_text_check(p.text_check),
        "contact_texted": p.not_texted is None if p.contact_id is not None else None,
        "contact_skipped_reason": p.not_texted,
    }
    if as_json:
        print_json(data)
        return
    if p.not_texted:
        code, _, detail = p.not_texted.partition(" ")
        why = reason_words(code) + (f" {detail}" if detail else "") if (
            code in REASON_WORDS) else p.not_texted
        click.echo(f"contact {p.contact_id} is skipped: {printable(why)}; this mailing does "
                   "not text them. What they would read:")
    click.echo(f"preview (contact {p.contact_id}): {printable(p.text)}")
    click.echo(f"encoding {data['encoding']}, {plural(data['segments'], 'segment')} per "
               f"message, {plural(p.total_segments, 'segment')} in total for "
               f"{plural(p.recipients, 'recipient')}")
    _echo_text_check(p.text_check)
    _echo_reasons(p.skipped_by_reason)


def _text_check(check: lifecycle.TextCheck | None) -> dict[str, Any]:
    if check is None:
        return {}
    return {"most_segments": check.most_segments, "max_segments": check.max_segments,
            "over_policy": check.over_policy, "policy_reason": check.policy_reason,
            "token_problems": list(check.token_problems),
            "rendered_empty": list(check.rendered_empty)}


def _echo_text_check(check: lifecycle.TextCheck | None, indent: str = "") -> None:
    """The lines a user must see before sending: what the job would refuse or leave out."""
    if check is None:
        return
    if check.over_policy:
        click.echo(f"{indent}over the length policy: {check.over_policy} message(s), e.g. "
                   f"{check.policy_reason}; jobs run pauses this mailing")
    for problem in check.token_problems:
        click.echo(f"{indent}will not be sent: {problem}; jobs run pauses this mailing")
    if check.rendered_empty:
        click.echo(f"{indent}rendered empty (CiviCRM tokens civisms cannot render): "
                   + ", ".join(check.rendered_empty))


@command.command("schedule")
@click.argument("mailing_id", type=int)
@click.option("--now", "now", is_flag=True, help="Send as soon as the job runs.")
@click.option("--at", "at", metavar='"YYYY-MM-DD HH:MM"', help="Send at this local time.")
@click.option("--keep-shared-numbers", is_flag=True,
              help="Text every contact of a shared number (default: the first only).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def schedule(obj: Any, mailing_id: int, now: bool, at: str | None,
             keep_shared_numbers: bool, as_json: bool) -> None:
    """Submit the mailing ("Submit Mass SMS"): recipients recomputed, job created.

    \b
    Example:
        civisms mailing schedule 7 --at "2026-12-01 09:30"
    """
    if now == (at is not None):
        raise InputError("give exactly one of --now or --at \"YYYY-MM-DD HH:MM\"")
    when = _parse_when(at) if at else None
    with _Session(obj) as s:
        result = lifecycle.schedule(s.civicrm, s.store, mailing_id, when, s.settings,
                                    dedupe_numbers=not keep_shared_numbers)
        pace = describe.pace(s.civicrm, result.mailing, result.report.recipients)
    _print_result("scheduled", result, as_json, pace)


def _parse_when(text: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise InputError(f"--at {text!r}: expected \"YYYY-MM-DD HH:MM\"") from None


def _state_command(name: str, action: Callable[..., Any], doc: str) -> None:
    @command.command(name, help=doc)
    @click.argument("mailing_id", type=int)
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @click.pass_obj
    def run(obj: Any, mailing_id: int, as_json: bool) -> None:
        with _Session(obj) as s:
            mailing = action(s.store, mailing_id)
        if as_json:
            print_json(_mailing_json(mailing))
        else:
            click.echo(f"mailing {mailing.id}: {mailing.status}")


_state_command("cancel", lifecycle.cancel, "Cancel a scheduled, running or paused mailing.\n\n"
               "\b\nExample:\n    civisms mailing cancel 7")
_state_command("pause", lifecycle.pause, "Pause a scheduled or running mailing.\n\n"
               "\b\nExample:\n    civisms mailing pause 7")


@command.command("resume")
@click.argument("mailing_id", type=int)
@click.option("--max-segments", type=click.IntRange(1, 10), metavar="N",
              help="Send its messages of up to N SMS segments anyway (overrides "
                   "CIVISMS_MAX_SEGMENTS for this mailing, db backend).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def resume(obj: Any, mailing_id: int, max_segments: int | None, as_json: bool) -> None:
    """Resume a paused mailing.

    \b
    Examples:
        civisms mailing resume 7
        civisms mailing resume 7 --max-segments 2   # paused as over the length policy
    """
    with _Session(obj) as s:
        user = resolve.acting_user(s.civicrm, s.settings) if max_segments else None
        mailing = lifecycle.resume(s.store, mailing_id, max_segments=max_segments, user=user)
    if as_json:
        print_json(_mailing_json(mailing))
    else:
        extra = f" (messages of up to {max_segments} segments allowed)" if max_segments else ""
        click.echo(f"mailing {mailing.id}: {mailing.status}{extra}")


@command.command("status")
@click.argument("mailing_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def status(obj: Any, mailing_id: int, as_json: bool) -> None:
    """Progress: recipients, queued, sent, delivered, failed (with reasons), unknown.

    \b
    Example:
        civisms mailing status 7 --json
    """
    with _Session(obj) as s:
        st = lifecycle.status(s.store, mailing_id, s.civicrm, s.settings)
        c = st.counts
        pace = describe.pace(s.civicrm, st.mailing,
                             max(0, st.mailing.recipients - c.sent - c.failed - c.unknown))
    show_status(st, as_json, pace)


def status_data(st: lifecycle.Status) -> dict[str, Any]:
    """A mailing's status as ``mailing status --json`` prints it."""
    c = st.counts
    return {
        "id": st.mailing.id, "name": st.mailing.name, "status": st.mailing.status,
        "recipients": st.mailing.recipients, "queued": c.queued, "sent": c.sent,
        "delivered": c.delivered, "undelivered": c.undelivered, "awaiting_receipt": c.awaiting,
        "failed": c.failed, "unknown": c.unknown,
        "failures": c.failures, "settle_unknown": _settle_command(st.mailing.id, c.unknown),
        **_text_check(st.text_check),
        "paused_by_civisms": describe.pause_data(st),
        **({"total_segments": st.text_check.total_segments} if st.text_check else {}),
    }


def show_status(st: lifecycle.Status, as_json: bool,
                pace: describe.Pace | None = None) -> None:
    """Print a mailing's status as ``mailing status`` does."""
    c = st.counts
    data = status_data(st)
    if pace is not None:
        data["pace"] = pace.as_dict()
    if as_json:
        print_json(data)
        return
    # Messages that may or may not have been texted: never shown as a clean Complete.
    state = st.mailing.status + (f", {c.unknown} unknown" if c.unknown else "")
    click.echo(f"mailing {st.mailing.id} {st.mailing.name!r}: {state}")
    click.echo(f"  recipients {st.mailing.recipients}, queued {c.queued}, sent {c.sent}, "
               f"failed {c.failed}, unknown {c.unknown}")
    if c.delivered is not None:
        click.echo(f"  receipts: delivered {c.delivered}, undelivered {c.undelivered}, "
                   f"awaiting a receipt {c.awaiting}")
    else:
        click.echo("  receipts: none recorded (civisms serve records them)")
    for reason, n in c.failures.items():
        click.echo(f"  failed {plural(n, 'message')}: {reason}")
    if c.unknown:
        click.echo(f"  unknown {c.unknown:>5}: may or may not have reached the gateway; "
                   f"settle with: {data['settle_unknown']}")
    if st.text_check is not None:
        check = st.text_check
        click.echo(f"  segments {check.total_segments} in total, at most {check.most_segments} "
                   f"per message (policy: {check.max_segments})")
        _echo_text_check(check, "  ")
    for line in describe.pause_lines(st):
        click.echo(printable(line))
    if pace is not None and st.mailing.status in ("Scheduled", "Running", "Paused"):
        click.echo(printable(pace.line()))


def _settle_command(mailing_id: int, unknown: int) -> str | None:
    if not unknown:
        return None
    return f"civisms jobs run --resolve-unknown failed --mailing {mailing_id} (or resend)"


def _print_result(verb: str, result: lifecycle.MailingResult, as_json: bool,
                  pace: describe.Pace | None = None) -> None:
    report = result.report
    if as_json:
        print_json({
            **_mailing_json(result.mailing), "job_id": result.job_id,
            **({"pace": pace.as_dict()} if pace else {}),
            "skipped_by_reason": report.skipped_by_reason(),
            "skipped": [{"contact_id": s.contact_id, "reason": s.reason.value,
                         "detail": s.detail} for s in report.skipped],
        })
        return
    m = result.mailing
    click.echo(f"{verb} mailing {m.id} ({m.status}): {plural(report.recipients, 'recipient')}")
    _echo_reasons(report.skipped_by_reason())
    if pace is not None:
        click.echo(printable(pace.line()))


def _echo_reasons(counts: dict[str, int]) -> None:
    for line in skip_lines(counts):
        click.echo(line)


def _mailing_json(m: Any) -> dict[str, Any]:
    g = m.groups
    return {
        "id": m.id, "name": m.name, "status": m.status, "sms_provider_id": m.sms_provider_id,
        "recipients": m.recipients, "text": m.body_text, "msg_template_id": m.msg_template_id,
        "campaign_id": m.campaign_id, "from_name": m.from_name, "created_id": m.created_id,
        "created_date": m.created_date, "scheduled_date": m.scheduled_date,
        "start_date": m.start_date, "end_date": m.end_date,
        "include_groups": list(g.include_groups), "exclude_groups": list(g.exclude_groups),
        "include_mailings": list(g.include_mailings),
        "exclude_mailings": list(g.exclude_mailings), "base_groups": list(g.base_groups),
    }
