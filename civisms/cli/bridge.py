"""``civisms bridge``: the CiviCRM extension that makes civisms CiviCRM's SMS provider."""

from __future__ import annotations

from pathlib import Path

import click

from civisms.cli import print_json


@click.group("bridge")
def command() -> None:
    """The CiviCRM extension org.civisms.bridge (see civicrm-extension/README.md)."""


@command.command("build")
@click.option("--output", "-o", type=click.Path(path_type=Path), default=Path("."),
              show_default=True, help="The zip file to write, or a folder to write it in.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def build_command(output: Path, as_json: bool) -> None:
    """Write the installable zip of the extension (unzip it into CiviCRM's extensions folder).

    \b
    Example:
        civisms bridge build -o /tmp && unzip /tmp/org.civisms.bridge-*.zip -d /var/www/ext
    """
    from civisms.bridge.build import build, version

    path, names = build(output)
    if as_json:
        print_json({"zip": str(path), "version": version(), "files": names})
        return
    click.echo(f"wrote {path} (org.civisms.bridge {version()}, {len(names)} files)")
