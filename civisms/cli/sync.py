"""``civisms sync``: bring CiviCRM's records in line with civisms."""

from __future__ import annotations

import click

from civisms.cli import print_json


@click.group("sync")
def command() -> None:
    """Bring CiviCRM's records in line with civisms."""


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
