"""``civisms sync``: bring CiviCRM's records in line with civisms and the gateways.

``sync providers`` (the bridge row), ``sync receipts`` and ``sync inbound`` (what the
webhooks missed, asked of the gateways).
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from typing import Any

import click

from civisms.cli import print_json


def _since(value: str | None) -> date:
    if value is None:
        return date.today() - timedelta(days=2)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: expected a date such as 2026-12-01") from None


@click.group("sync")
def command() -> None:
    """Bring CiviCRM's records in line with civisms and the gateways."""


@command.command("providers")
@click.option("--via", "via", required=True, type=int, metavar="ROW",
              help="Id of the gateway row (Twilio, Vonage...) civisms sends through.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def providers(obj: object, via: int, as_json: bool) -> None:
    """Create or update the civisms provider row CiviCRM's screens send through.

    The row (name civisms, the bridge extension's key) points CiviCRM at
    CIVISMS_PUBLIC_URL with a fresh token and sends through gateway row ROW, whose
    credentials stay where they are. Running it again updates the same row.

    \b
    Example:
        CIVISMS_PUBLIC_URL=https://sms.example.org civisms sync providers --via 3 --json
    """
    from civisms.bridge.sync import sync_bridge_row

    settings = obj.settings  # type: ignore[attr-defined]
    with obj.civicrm() as civicrm:  # type: ignore[attr-defined]
        done = sync_bridge_row(civicrm, via, settings.public_url)
    if as_json:
        print_json(done.as_dict())
    else:
        verb = "created" if done.created else "updated"
        click.echo(f"{verb} SMS provider {done.row_id} {done.title!r}: CiviCRM sends to "
                   f"{done.api_url}, civisms sends through row {done.via} (new token set)")
    if done.extension != "enabled":
        click.echo(f"warning: the civisms bridge extension is {done.extension} on this site: "
                   "CiviCRM cannot send through the row until it is enabled "
                   "(civisms bridge build; civicrm-extension/README.md)", err=True)


def _run(obj: Any, kind: str, since: str | None, provider: tuple[int, ...], dry_run: bool,
         as_json: bool) -> None:
    from civisms.webhooks.sync import sync

    start = _since(since)  # a bad date is refused before anything connects
    with obj.civicrm() as civicrm:
        if not dry_run:
            civicrm.prepare_webhooks()
        reports = sync(civicrm, obj.settings, kind, start, dry_run=dry_run,
                       provider_ids=provider)
    if as_json:
        print_json([r.as_dict() for r in reports])
    else:
        for r in reports:
            head = f"{r.provider_id:>4}  {r.title}  [{r.adapter or 'no adapter'}]"
            if r.skipped:
                click.echo(f"{head}: skipped: {r.skipped}")
                continue
            counts = ", ".join(f"{k} {v}" for k, v in sorted(r.outcomes.items())) or "nothing"
            click.echo(f"{head}: {r.fetched} fetched: {counts}")
            if r.error:
                click.echo(f"      error: {r.error}")
    if any(r.error for r in reports):
        sys.exit(1)


_options = [
    click.option("--since", help="Date (YYYY-MM-DD) to look back to; default two days ago."),
    click.option("--provider", type=int, multiple=True, help="Only this provider row id "
                 "(repeatable)."),
    click.option("--dry-run", is_flag=True, help="Fetch and count; record nothing."),
    click.option("--json", "as_json", is_flag=True, help="Print JSON."),
]


def _with_options(func: Any) -> Any:
    for option in reversed(_options):
        func = option(func)
    return func


@command.command("receipts")
@_with_options
@click.pass_obj
def receipts_command(obj: Any, since: str | None, provider: tuple[int, ...], dry_run: bool,
                     as_json: bool) -> None:
    """Ask each gateway for the status of messages sent since --since and record the
    receipts civisms has not seen (Twilio; the others keep no list and are reported).

    \b
    Example:
        civisms sync receipts --since 2026-12-01 --json
    """
    _run(obj, "receipts", since, provider, dry_run, as_json)


@command.command("inbound")
@_with_options
@click.pass_obj
def inbound_command(obj: Any, since: str | None, provider: tuple[int, ...], dry_run: bool,
                    as_json: bool) -> None:
    """Fetch the replies each gateway kept since --since and record those not yet in
    CiviCRM; a missed STOP sets do_not_sms (no answer is sent).

    \b
    Example:
        civisms sync inbound --since 2026-12-01 --dry-run
    """
    _run(obj, "inbound", since, provider, dry_run, as_json)
