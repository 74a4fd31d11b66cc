"""``civisms demo``: the sample site in a local MariaDB database, checked and texted."""

from __future__ import annotations

import sys

import click

from civisms.check import run_check
from civisms.cli import print_json
from civisms.config import Settings, load_settings, mask_url, parse_db_url

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
    --db-url, replacing it, runs `civisms check` against it, sends an individual SMS to
    the group "SMS Supporters", then creates, schedules and sends a mass SMS to that group
    less "Board Members" with `civisms jobs run`, all through the local outbox
    (CIVISMS_OUTBOX, var/outbox.jsonl).

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
    _individual_sms(settings)
    _mass_sms(settings)
    click.echo(f"demo: done; try  CIVISMS_DB_URL={mask_url(db_url)} civisms mailing list")


DEMO_TEXT = 'Hi {contact.first_name|default:"friend"}, the Spring drive starts Saturday!'


def _individual_sms(settings: Settings) -> None:
    """Send one individual SMS to the SMS Supporters through the local outbox."""
    from civisms.civicrm.db import DbCiviCRM
    from civisms.providers.registry import provider_for
    from civisms.sending import individual
    from civisms.sending.journal import Journal
    from civisms.sending.request import SendRequest, prepare

    click.echo(f"demo: civisms send --group 'SMS Supporters' --text {DEMO_TEXT!r}")
    with DbCiviCRM.from_settings(settings) as civicrm:
        plan = prepare(civicrm, SendRequest(name="Demo: Spring reminder",
                                            groups=("SMS Supporters",), text=DEMO_TEXT),
                       settings).plan
        row = plan.provider
        adapter = provider_for(row, outbox=settings.outbox)
        try:
            journal = Journal.for_civicrm(civicrm, settings.journal_path)
            outcome = individual.send(civicrm, journal, plan, adapter)
        finally:
            adapter.close()
    click.echo(f"  sent {len(outcome.sent)} SMS via {row.title} (activity {outcome.activity_id}),"
               f" failed {len(outcome.failed)}")
    for skip in plan.recipients.skipped:
        click.echo(f"  skipped contact {skip.contact_id}: {skip.reason.value}")
    lines = settings.outbox.read_text(encoding="utf-8").splitlines()[-3:]
    click.echo(f"  last lines of the outbox {settings.outbox}:")
    for line in lines:
        click.echo(f"    {line}")


MASS_TEXT = 'Hello {contact.first_name|default:"friend"}: Spring drive, Saturday 10am!'


def _mass_sms(settings: Settings) -> None:
    """Create, schedule and send a mass SMS, then show its status and the outbox."""
    from civisms.civicrm.db import DbCiviCRM
    from civisms.civicrm.mailings import mailings_for
    from civisms.cli.mailing import show_status
    from civisms.sending import mailing
    from civisms.sending.jobs import RunConfig, Runner

    click.echo("demo: civisms mailing create --include-group 'SMS Supporters' "
               "--exclude-group 'Board Members' ...; mailing schedule --now; jobs run --once")
    with DbCiviCRM.from_settings(settings) as civicrm:
        store = mailings_for(civicrm)
        made = mailing.create(civicrm, store, mailing.MailingRequest(
            name="Demo: Spring drive (mass SMS)", include_groups=("SMS Supporters",),
            exclude_groups=("Board Members",), text=MASS_TEXT,
        ), settings)
        mailing_id = made.mailing.id
        skipped = made.report.skipped_by_reason()
        click.echo(f"  draft mailing {mailing_id}: {made.mailing.recipients} recipients; "
                   f"skipped {skipped or 'none'}")
        mailing.schedule(civicrm, store, mailing_id, None, settings)
        report = Runner(civicrm, settings, RunConfig(concurrency=8)).run()
        click.echo(f"  jobs run: sent {report.total.sent}, failed {report.total.failed}, "
                   f"unknown {report.total.unknown}")
        click.echo(f"demo: civisms mailing status {mailing_id}")
        show_status(mailing.status(store, mailing_id), as_json=False)
    lines = settings.outbox.read_text(encoding="utf-8").splitlines()[-3:]
    click.echo(f"  last lines of the outbox {settings.outbox}:")
    for line in lines:
        click.echo(f"    {line}")

