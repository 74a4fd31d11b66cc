"""``civisms check``: connect to CiviCRM and report what civisms sees."""

from __future__ import annotations

import sys

import click

from civisms.check import run_check
from civisms.cli import print_json, printable


@click.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def command(obj: object, as_json: bool) -> None:
    """Check the CiviCRM site: version, domain, SMS providers, templates, activity types.

    Exits 1 with one line per problem when civisms cannot work with the site, 2 when it
    cannot even connect because of the configuration (credentials, database name).

    \b
    Example:
        CIVISMS_DB_URL=mysql://civi:secret@127.0.0.1/civicrm civisms check --json
    """
    civicrm = obj.civicrm()  # type: ignore[attr-defined]
    with civicrm:
        report = run_check(civicrm, obj.settings.public_url)
    if as_json:
        print_json(report.as_dict())
    elif report.connected:
        _print_report(report)
    for problem in report.problems:
        click.echo(f"civisms: problem: {printable(problem)}", err=True)
    if not report.ok:
        sys.exit(2 if report.misconfigured else 1)


def _print_report(report) -> None:  # type: ignore[no-untyped-def]
    click.echo(f"backend:         {report.backend}")
    click.echo(f"CiviCRM version: {report.civicrm_version or 'unknown'}")
    if report.domain:
        click.echo(f"domain:          {report.domain['id']} {printable(report.domain['name'])}")
    templates = "?" if report.sms_templates is None else report.sms_templates
    click.echo(f"SMS templates:   {templates}")
    click.echo("activity types:  " + ", ".join(
        f"{name}={value if value is not None else 'MISSING'}"
        for name, value in report.activity_types.items()
    ))
    click.echo(f"SMS providers:   {len(report.providers)}")
    for p in report.providers:
        state = "active" if p["is_active"] else "inactive"
        default = ", default" if p["is_default"] else ""
        adapter = p["adapter"] or "no adapter"
        rate = f"; {p['mps']:,g} segment{'' if p['mps'] == 1 else 's'}/s" if p.get("mps") else ""
        click.echo(printable(f"  {p['id']:>3}  {p['title']}  [{p['name']} → {adapter}; "
                             f"{state}{default}{rate}]"))
        click.echo(f"       receipts: {p['webhooks']['status']}")
        click.echo(f"       replies:  {p['webhooks']['inbound']}")
    if report.bridge:
        b = report.bridge
        version = f" {b['version']}" if b["version"] else ""
        core = "active" if b["core_job_active"] else "off"
        click.echo(f"civisms bridge:  {b['status']}{version} (CiviCRM's 'Send Scheduled SMS': "
                   f"{core}; provider rows: {', '.join(map(str, b['provider_rows'])) or 'none'})")
    for warning in report.warnings:
        click.echo(f"warning: {warning}")
    if report.ok:
        click.echo("ok: civisms can work with this site")
