"""``civisms send``: an SMS to a few contacts, a group or a search result."""

from __future__ import annotations

import sys
from typing import Any

import click

from civisms.cli import print_json
from civisms.errors import InputError
from civisms.sending import individual, resolve


@click.command("send")
@click.option("--contact", "contacts", multiple=True, metavar="ID|EMAIL|NAME",
              help="A contact by id, email or display name (repeatable).")
@click.option("--group", "groups", multiple=True, metavar="NAME|ID",
              help="Every member of a static or smart group (repeatable).")
@click.option("--contacts-file", type=click.Path(dir_okay=False), metavar="PATH",
              help="Contact ids, one per line, or a CSV with an id/contact_id column.")
@click.option("--provider", metavar="ID|TITLE", help="SMS provider (default: the site's default).")
@click.option("--name", required=True, help="The SMS name: the activity subject.")
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
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def command(obj: Any, contacts: tuple[str, ...], groups: tuple[str, ...],
            contacts_file: str | None, provider: str | None, name: str, text: str | None,
            text_file: str | None, template: str | None, save_template: str | None,
            update_template: bool, campaign: str | None, from_contact: int | None,
            dry_run: bool, yes: bool, as_json: bool) -> None:
    """Send an SMS to chosen contacts and record it as CiviCRM does ("Outbound SMS").

    Only Mobile phones are texted (the primary one); contacts marked "Do not SMS",
    deceased or deleted are skipped, each with its reason.

    \b
    Example:
        civisms send --group "SMS Supporters" --name "Spring reminder" \\
            --text "Hi {contact.first_name}, see you Saturday!" --yes
    """
    settings = obj.settings
    if text is not None and text_file is not None:
        raise InputError("give --text or --file, not both")
    edited = text is not None or text_file is not None
    if not edited and template is None:
        raise InputError("no message: give --text, --file or --template")
    if update_template and (template is None or not edited):
        raise InputError("--update-template needs --template and the edited --text or --file")
    if template is not None and edited and not update_template:
        raise InputError("--text/--file with --template edits it: add --update-template to "
                         "save the edit into the template, or drop --template")
    if not (contacts or groups or contacts_file):
        raise InputError("no recipients: give --contact, --group or --contacts-file")
    with obj.civicrm() as civicrm:
        row = resolve.provider(civicrm, provider)
        chosen_template = resolve.template(civicrm, template) if template else None
        message = text if text is not None else (
            resolve.read_text_file(text_file) if text_file else chosen_template.text  # type: ignore[union-attr]
        )
        if not message.strip():
            raise InputError("the message is empty")
        ids: list[int] = [resolve.contact(civicrm, c).id for c in contacts]
        for typed in groups:
            ids.extend(civicrm.group_contact_ids(resolve.group(civicrm, typed).id))
        if contacts_file:
            ids.extend(resolve.contact_ids_file(contacts_file))
        campaign_id = resolve.campaign(civicrm, campaign).id if campaign else None
        source = from_contact or resolve.acting_user(civicrm, settings)
        send_plan = individual.plan(
            civicrm, name=name, text=message, provider=row, contact_ids=ids,
            source_contact_id=source, campaign_id=campaign_id,
            region=settings.default_region, max_segments=settings.max_segments,
        )
        if dry_run:
            _print_plan(send_plan, as_json)
            return
        if not send_plan.messages:
            _print_plan(send_plan, as_json)
            raise InputError("nobody to text: every contact was skipped (reasons above)")
        _confirm(send_plan, yes)
        from civisms.bridge import gateway_row
        from civisms.providers.registry import provider_for

        adapter = provider_for(gateway_row(row, civicrm.sms_providers()), outbox=settings.outbox)
        try:
            if save_template:
                civicrm.save_sms_template(save_template, message)
            if update_template and chosen_template is not None:
                civicrm.update_sms_template(chosen_template.id, message)
            outcome = individual.execute(civicrm, send_plan, adapter)
        finally:
            adapter.close()
    _print_outcome(send_plan, outcome, as_json)
    if outcome.stopped:
        click.echo(f"civisms: gateway error: {outcome.stopped}", err=True)
    if outcome.failed:
        sys.exit(1)


def _confirm(send_plan: individual.SendPlan, yes: bool) -> None:
    if yes:
        return
    question = (f"Send {len(send_plan.messages)} SMS, {send_plan.total_segments} segments, "
                f"via {send_plan.provider.title}?")
    if not sys.stdin.isatty():
        raise InputError(f"{question} Not on a terminal: add --yes to confirm")
    if not click.confirm(question, default=False):
        raise InputError("cancelled: nothing was sent")


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
    click.echo(f"{len(send_plan.messages)} recipients via {send_plan.provider.title}:")
    for r in data["recipients"]:
        click.echo(f"  contact {r['contact_id']:>6}  {r['phone']}")
    _echo_skipped(send_plan)
    if first:
        click.echo(f"preview (contact {first.recipient.contact_id}): {first.text}")
        click.echo(f"encoding {data['encoding']}, {data['segments']} segment(s) per message, "
                   f"{send_plan.total_segments} in total")


def _echo_skipped(send_plan: individual.SendPlan) -> None:
    for skip in send_plan.recipients.skipped:
        detail = f" ({skip.detail})" if skip.detail else ""
        click.echo(f"  skipped contact {skip.contact_id:>6}: {skip.reason.value}{detail}")


def _print_outcome(send_plan: individual.SendPlan, outcome: individual.SendOutcome,
                   as_json: bool) -> None:
    if as_json:
        print_json({
            "activity_id": outcome.activity_id,
            "sent": [vars_of(s) for s in outcome.sent],
            "skipped": _skipped(send_plan),
            "failed": [vars_of(f) for f in outcome.failed],
        })
        return
    click.echo(f"sent {len(outcome.sent)} SMS (activity {outcome.activity_id}), "
               f"skipped {len(send_plan.recipients.skipped)}, failed {len(outcome.failed)}")
    _echo_skipped(send_plan)
    for failure in outcome.failed:
        click.echo(f"  failed contact {failure.contact_id:>6} {failure.phone}: {failure.error}")


def vars_of(item: Any) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__slots__}
