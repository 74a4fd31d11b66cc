"""``civisms demo``: the sample site in a local MariaDB database, checked and texted."""

from __future__ import annotations

import sys

import click

from civisms.check import run_check
from civisms.cli import print_json
from civisms.config import load_settings, mask_url, parse_db_url

DEFAULT_DEMO_URL = "mysql://root@127.0.0.1:3306/civisms_demo"


@click.command("demo")
@click.option(
    "--db-url", envvar="CIVISMS_DEMO_DB_URL", default=DEFAULT_DEMO_URL, show_default=True,
    help="Where to build the demo site (it is dropped and rebuilt).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the check report as JSON.")
def command(db_url: str, as_json: bool) -> None:
    """Build the sample CiviCRM site in a local database and run civisms on it.

    Loads the CiviCRM tables civisms uses (faithful to CiviCRM 6.17.2) and the sample
    site (contacts, mobiles, groups, an SMS template, SMS providers) into the database of
    --db-url, replacing it, then runs `civisms check` against it.

    \b
    Example:
        civisms demo --db-url mysql://root@127.0.0.1:3306/civisms_demo
    """
    from civisms.civicrm.db import DbCiviCRM
    from civisms.civicrm.install import install_site

    params = parse_db_url(db_url)
    click.echo(f"demo: loading the sample site into {mask_url(db_url)}")
    install_site(params, params.database, schema="subset", sample=True, replace=True)
    settings = load_settings(backend="db", db_url=db_url)
    with DbCiviCRM.from_settings(settings) as civicrm:
        report = run_check(civicrm)
    if as_json:
        print_json(report.as_dict())
    else:
        click.echo("demo: civisms check")
        from civisms.cli.check import _print_report

        _print_report(report)
    if not report.ok:
        for problem in report.problems:
            click.echo(f"civisms: problem: {problem}", err=True)
        sys.exit(1)
    click.echo(f"demo: done; try  CIVISMS_DB_URL={mask_url(db_url)} civisms check")
