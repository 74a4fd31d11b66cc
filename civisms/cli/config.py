"""``civisms config``: the effective settings, secrets masked."""

from __future__ import annotations

import click

from civisms.cli import print_json


@click.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def command(obj: object, as_json: bool) -> None:
    """Print the effective settings (environment, then the TOML file), secrets masked.

    \b
    Example:
        CIVISMS_BACKEND=api4 CIVISMS_API_URL=https://crm.example.org civisms config --json
    """
    shown = obj.settings.masked()  # type: ignore[attr-defined]
    if as_json:
        print_json(shown)
        return
    width = max(len(name) for name in shown)
    for name, value in shown.items():
        click.echo(f"CIVISMS_{name.upper():<{width}}  {'' if value is None else value}")
