"""``civisms config``: the effective settings, secrets masked."""

from __future__ import annotations

import click

from civisms.cli import print_json


@click.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def command(obj: object, as_json: bool) -> None:
    """Print every setting's effective value (environment, then the TOML file), secrets
    masked, and what it means.

    \b
    Example:
        CIVISMS_BACKEND=api4 CIVISMS_API_URL=https://crm.example.org civisms config --json
    """
    shown = obj.settings.masked()  # type: ignore[attr-defined]
    if as_json:
        print_json(shown)
        return
    fields = type(obj.settings).model_fields  # type: ignore[attr-defined]
    width = max(len(name) for name in shown)
    values = {name: "-" if value in (None, "") else str(value) for name, value in shown.items()}
    value_width = min(40, max(len(v) for v in values.values()))
    for name, value in values.items():
        meaning = fields[name].description or ""
        click.echo(f"CIVISMS_{name.upper():<{width}}  {value:<{value_width}}  {meaning}")
