"""``civisms send``: an SMS to a few contacts, a group or a search result."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

import click

from civisms.cli import print_json, printable
from civisms.cli.progress import Progress
from civisms.errors import Cancelled, InputError
from civisms.sending import individual, resolve
from civisms.sending.journal import Journal
from civisms.sending.request import SendRequest, prepare, save_templates


@click.command("send")
@click.option("--contact", "contacts", multiple=True, metavar="ID|EMAIL|NAME",
              help="A contact by id, email or display name (repeatable).")
@click.option("--group", "groups", multiple=True, metavar="NAME|ID",
              help="Every member of a static or smart group (repeatable).")
@click.option("--contacts-file", type=click.Path(dir_okay=False), metavar="PATH",
              help="Contact ids, one per line, or a CSV with an id/contact_id column.")
@click.option("--provider", metavar="ID|TITLE", help="SMS provider (default: the site's default).")
@click.option("--name", help="The SMS name: the activity subject (required for a new send).")
@click.option("--text", help="The message; tokens such as {contact.first_name} allowed.")
@click.option("--file", "text_file", type=click.Path(dir_okay=False),
              help="Message from a UTF-8 file.")
@click.option("--template", metavar="ID|TITLE", help="Message from an SMS template.")
@click.option("--save-template", metavar="TITLE", help="Also save the text as a new SMS template.")
@click.option("--update-template", is_flag=True,
              help="With --template and --text/--file: save the edited text into the template.")
@click.option("--campaign", metavar="ID|TITLE", help="Record the SMS under this campaign.")
@click.option("--from-contact", type=int, metavar="ID", help="Contact recorded as the sender.")
@click.option("--dry-run", is_flag=True, help="Show recipients and a preview; send nothing.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--resume", "resume_id", type=int, metavar="SEND_ID",
              help="Finish an interrupted send: text only those never attempted.")
@click.option("--resolve-unknown", type=click.Choice(["resend", "failed"]), default=None,
              help="With --resume: first settle messages whose outcome is unknown.")
@click.option("--list", "list_sends", is_flag=True, help="List recent sends and their counts.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar (default: when stderr is a terminal; log lines otherwise).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def command(obj: Any, contacts: tuple[str, ...], groups: tuple[str, ...],
            contacts_file: str | None, provider: str | None, name: str | None,
            text: str | None, text_file: str | None, template: str | None,
            save_template: str | None, update_template: bool, campaign: str | None,
            from_contact: int | None, dry_run: bool, yes: bool, resume_id: int | None,
            resolve_unknown: str | None, list_sends: bool, progress: bool | None,
            as_json: bool) -> None:
    """Send an SMS to chosen contacts and record it as CiviCRM does ("Outbound SMS").

    Only Mobile phones are texted (the primary one); contacts marked "Do not SMS",
    deceased or deleted are skipped, each with its reason. Every message is journaled
    before the gateway is called: an interrupted send (Ctrl-C, a crash) is finished with
    --resume, and a message that may have reached the gateway is never sent again unless
    you say so with --resolve-unknown.

    \b
    Examples:
        civisms send --group "SMS Supporters" --name "Spring reminder" \\
            --text "Hi {contact.first_name}, see you Saturday!" --yes
        civisms send --list
        civisms send --resume 12 --resolve-unknown failed
    """
    settings = obj.settings
    if list_sends:
        with obj.civicrm() as civicrm:
            _print_sends(journal_for(civicrm, settings).sends(), as_json)
        return
    if resolve_unknown and resume_id is None:
        raise InputError("--resolve-unknown needs --resume SEND_ID")
    if resume_id is not None:
        with obj.civicrm() as civicrm:
            journal = journal_for(civicrm, settings)
            send = journal.send(resume_id)
            if send is None:
                raise InputError(f"no send {resume_id}: see civisms send --list")
            row = resolve.provider(civicrm, str(send["provider_id"]))
            total = journal.counts(resume_id)["pending"]
            outcome = _run(civicrm, journal, resume_id, row, settings, progress, total,
                           resolve_unknown)
        _finish(outcome, None, as_json)
        return
    request = SendRequest(
        name=name, contacts=contacts, groups=groups, contacts_file=contacts_file,
        provider=provider, text=text, text_file=text_file, template=template,
        save_template=save_template, update_template=update_template, campaign=campaign,
        from_contact=from_contact)
    with obj.civicrm() as civicrm:
        prepared = prepare(civicrm, request, settings)
        send_plan = prepared.plan
        if dry_run:
            _print_plan(send_plan, as_json)
            return
        if not send_plan.messages:
            _print_plan(send_plan, as_json)
            raise InputError("nobody to text: every contact was skipped (reasons above)")
        _confirm(send_plan, yes)
        save_templates(civicrm, request, prepared)
        journal = journal_for(civicrm, settings)
        send_id = individual.start(civicrm, journal, send_plan)
        outcome = _run(civicrm, journal, send_id, send_plan.provider, settings, progress,
                       len(send_plan.messages), None)
    _finish(outcome, send_plan, as_json)


def journal_for(civicrm: Any, settings: Any) -> Journal:
    """The send journal: in the CiviCRM database, or a local file with the api4 backend."""
    return Journal.for_civicrm(civicrm, settings.journal_path)


def _run(civicrm: Any, journal: Journal, send_id: int, row: Any, settings: Any,
         progress: bool | None, total: int, resolve_unknown: str | None
         ) -> individual.SendOutcome:
    """Send under signal handling: the first Ctrl-C or SIGTERM stops gracefully."""
    from civisms.bridge import gateway_row
    from civisms.providers.registry import provider_for

    stop = threading.Event()
    caught: list[int] = []
    show = sys.stderr.isatty() if progress is None else progress
    bar = Progress(total, f"send {send_id}", terminal=show)
    options = individual.default_options()
    options.stop = stop
    options.progress = bar.update
    restore = _on_signals(stop, caught)
    # A bridge row (CiviCRM's screens) sends through the gateway row it names.
    adapter = provider_for(gateway_row(row, civicrm.sms_providers()), outbox=settings.outbox,
                           public_url=settings.public_url)
    try:
        outcome = individual.run(civicrm, journal, send_id, adapter, options=options,
                                 resolve_unknown=resolve_unknown)
    except KeyboardInterrupt:  # a second Ctrl-C: in-flight messages were left 'unknown'
        caught.append(signal.SIGINT)
        outcome = individual.status(journal, send_id, stopped="interrupted")
    finally:
        adapter.close()
        restore()
        bar.close()
    if caught:
        outcome.stopped = f"stopped by {signal.Signals(caught[0]).name}"
        outcome.exit_signal = caught[0]
    return outcome


def _on_signals(stop: threading.Event, caught: list[int]) -> Callable[[], None]:
    """First SIGINT/SIGTERM: finish what is in flight, then stop; a second SIGINT: now."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        caught.append(signum)
        stop.set()

    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    return lambda: [signal.signal(sig, h) for sig, h in old.items()] and None


def _finish(outcome: individual.SendOutcome, send_plan: individual.SendPlan | None,
            as_json: bool) -> None:
    """Print the outcome; exit 130/143 after a signal, 1 when anything is not sent."""
    _print_outcome(send_plan, outcome, as_json)
    resume = f"civisms send --resume {outcome.send_id}"
    if outcome.stopped:
        click.echo(f"civisms: send {outcome.send_id} stopped: {outcome.stopped}", err=True)
    if outcome.pending:
        click.echo(f"civisms: {len(outcome.pending)} not sent yet; finish with: {resume}",
                   err=True)
    if outcome.unknown:
        click.echo(f"civisms: {len(outcome.unknown)} may or may not have reached the gateway "
                   f"(unknown); settle with: {resume} --resolve-unknown failed (or resend)",
                   err=True)
    if outcome.exit_signal:
        sys.exit(128 + outcome.exit_signal)
    if outcome.failed or outcome.unknown or outcome.pending:
        sys.exit(1)


def _confirm(send_plan: individual.SendPlan, yes: bool) -> None:
    if yes:
        return
    question = (f"Send {len(send_plan.messages)} SMS, {send_plan.total_segments} segments, "
                f"via {send_plan.provider.title}?")
    if not sys.stdin.isatty():
        raise InputError(f"{question} Not on a terminal: add --yes to confirm")
    if not click.confirm(question, default=False):
        raise Cancelled("nothing was sent")


def _skipped(send_plan: individual.SendPlan) -> list[dict[str, Any]]:
    return [{"contact_id": s.contact_id, "reason": s.reason.value, "detail": s.detail}
            for s in send_plan.recipients.skipped]


def _print_plan(send_plan: individual.SendPlan, as_json: bool) -> None:
    first = send_plan.messages[0] if send_plan.messages else None
    data = {
        "dry_run": True,
        "provider": {"id": send_plan.provider.id, "title": send_plan.provider.title},
        "recipients": [{"contact_id": m.recipient.contact_id, "phone": m.recipient.e164,
                        "segments": m.segmentation.segments} for m in send_plan.messages],
        "skipped": _skipped(send_plan),
        "preview": first.text if first else None,
        "encoding": first.segmentation.encoding if first else None,
        "segments": first.segmentation.segments if first else 0,
        "total_segments": send_plan.total_segments,
    }
    if as_json:
        print_json(data)
        return
    click.echo(f"{len(send_plan.messages)} recipients via "
               f"{printable(send_plan.provider.title)}:")
    for r in data["recipients"]:
        click.echo(f"  contact {r['contact_id']:>6}  {r['phone']}")
    _echo_skipped(send_plan)
    if first:
        click.echo(f"preview (contact {first.recipient.contact_id}): {printable(first.text)}")
        click.echo(f"encoding {data['encoding']}, {data['segments']} segment(s) per message, "
                   f"{send_plan.total_segments} in total")


def _echo_skipped(send_plan: individual.SendPlan) -> None:
    for skip in send_plan.recipients.skipped:
        detail = f" ({skip.detail})" if skip.detail else ""
        click.echo(f"  skipped contact {skip.contact_id:>6}: {skip.reason.value}"
                   f"{printable(detail)}")


def _print_outcome(send_plan: individual.SendPlan | None, outcome: individual.SendOutcome,
                   as_json: bool) -> None:
    if as_json:
        print_json({
            "send_id": outcome.send_id,
            "activity_id": outcome.activity_id,
            "sent": [vars_of(s) for s in outcome.sent],
            "skipped": _skipped(send_plan) if send_plan else [],
            "failed": [vars_of(f) for f in outcome.failed],
            "unknown": [vars_of(f) for f in outcome.unknown],
            "pending": [vars_of(f) for f in outcome.pending],
            "stopped": outcome.stopped,
        })
        return
    skipped = len(send_plan.recipients.skipped) if send_plan else 0
    click.echo(f"send {outcome.send_id}: sent {len(outcome.sent)} SMS (activity "
               f"{outcome.activity_id}), skipped {skipped}, failed {len(outcome.failed)}, "
               f"unknown {len(outcome.unknown)}, not sent yet {len(outcome.pending)}")
    if send_plan:
        _echo_skipped(send_plan)
    for failure in outcome.failed:
        click.echo(f"  failed contact {failure.contact_id:>6} {failure.phone}: "
                   f"{printable(failure.error)}")
    for failure in outcome.unknown:
        click.echo(f"  unknown contact {failure.contact_id:>6} {failure.phone}: "
                   f"{printable(failure.error)}")


def _print_sends(sends: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json([{**s, "created_at": str(s["created_at"])} for s in sends])
        return
    if not sends:
        click.echo("no sends yet")
        return
    for s in sends:
        open_ = s["pending"] + s["sending"]
        flag = "  interrupted: civisms send --resume " + str(s["id"]) if open_ else ""
        click.echo(f"{s['id']:>6}  {str(s['created_at'])[:19]}  {printable(s['name'][:30]):<30}  "
                   f"sent {s['sent']}, failed {s['failed']}, unknown {s['unknown']}, "
                   f"not sent {open_}{flag}")


def vars_of(item: Any) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__slots__}
