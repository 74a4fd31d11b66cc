"""``civisms demo``: the sample site in a local MariaDB database, checked and texted."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from civisms.check import run_check
from civisms.cli import print_json
from civisms.cli.words import command_path, plural, skip_summary
from civisms.config import Settings, load_settings, mask_url, parse_db_url

DEFAULT_DEMO_URL = "mysql://root@127.0.0.1:3306/civisms_demo"


@click.command("demo")
@click.option(
    "--db-url", envvar="CIVISMS_DEMO_DB_URL", default=DEFAULT_DEMO_URL, show_default=True,
    help="Where to build the demo site: a new database, or one an earlier demo made "
         "(rebuilt); any other database is refused.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document at the end.")
def command(db_url: str, as_json: bool) -> None:
    """Build the sample CiviCRM site in a local database and run civisms on it.

    Loads the CiviCRM tables civisms uses (faithful to CiviCRM 6.17.2) and the sample
    site (contacts, mobiles, groups, an SMS template, SMS providers) into the database of
    --db-url, runs `civisms check` against it, sends an individual SMS to the group
    "SMS Supporters", then creates, schedules and sends a mass SMS to that group less
    "Board Members" with `civisms jobs run`, all through the local outbox
    (CIVISMS_OUTBOX, var/outbox.jsonl).

    The demo only ever replaces a database it made itself (it leaves a table
    civisms_demo_marker there); an existing database without it, or a system schema,
    is refused with exit code 2.

    \b
    Example:
        civisms demo --db-url mysql://root@127.0.0.1:3306/civisms_demo
    """
    from civisms.civicrm import demo_site
    from civisms.civicrm.db import DbCiviCRM

    say = _Say(as_json)
    params = parse_db_url(db_url)
    say(f"demo: loading the sample site into {mask_url(db_url)}")
    demo_site.build(params, params.database)
    settings = load_settings(backend="db", db_url=db_url)
    with DbCiviCRM.from_settings(settings) as civicrm:
        report = run_check(civicrm)
    say.data["check"] = report.as_dict()
    if not as_json:
        from civisms.cli.check import _print_report

        click.echo("demo: civisms check")
        _print_report(report)
    if not report.ok:
        say.finish()
        for problem in report.problems:
            click.echo(f"civisms: problem: {problem}", err=True)
        sys.exit(1)
    _individual_sms(settings, say)
    _mass_sms(settings, say)
    hint = f"CIVISMS_DB_URL={mask_url(db_url)} {command_path()} mailing list"
    say.data["next"] = hint
    say(f"demo: done; try  {hint}")
    say.finish()


class _Say:
    """Text lines as the demo goes, or one JSON document (``data``) at the end."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.data: dict[str, Any] = {}

    def __call__(self, line: str) -> None:
        if not self.as_json:
            click.echo(line)

    def finish(self) -> None:
        if self.as_json:
            print_json(self.data)


DEMO_TEXT = 'Hi {contact.first_name|default:"friend"}, the Spring drive starts Saturday!'


def _individual_sms(settings: Settings, say: _Say) -> None:
    """Send one individual SMS to the SMS Supporters through the local outbox."""
    from civisms.civicrm.db import DbCiviCRM
    from civisms.providers.registry import provider_for
    from civisms.sending import individual
    from civisms.sending.journal import Journal
    from civisms.sending.request import SendRequest, prepare

    say(f"demo: civisms send --group 'SMS Supporters' --text {DEMO_TEXT!r}")
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
    say(f"  sent {plural(len(outcome.sent), 'SMS', 'SMS')} via {row.title} "
        f"(activity {outcome.activity_id}), failed {len(outcome.failed)}")
    for skip in plan.recipients.skipped:
        say(f"  skipped contact {skip.contact_id}: {skip.reason.value}")
    say.data["send"] = {
        "provider": row.title, "activity_id": outcome.activity_id,
        "sent": len(outcome.sent), "failed": len(outcome.failed),
        "skipped": [{"contact_id": s.contact_id, "reason": s.reason.value}
                    for s in plan.recipients.skipped],
    }
    _outbox_tail(settings, say)


MASS_TEXT = 'Hello {contact.first_name|default:"friend"}: Spring drive, Saturday 10am!'


def _mass_sms(settings: Settings, say: _Say) -> None:
    """Create, schedule and send a mass SMS, then show its status and the outbox."""
    from civisms.civicrm.db import DbCiviCRM
    from civisms.civicrm.mailings import mailings_for
    from civisms.cli.mailing import show_status, status_data
    from civisms.sending import mailing
    from civisms.sending.jobs import RunConfig, Runner

    say("demo: civisms mailing create --include-group 'SMS Supporters' "
        "--exclude-group 'Board Members' ...; mailing schedule --now; jobs run --once")
    with DbCiviCRM.from_settings(settings) as civicrm:
        store = mailings_for(civicrm)
        made = mailing.create(civicrm, store, mailing.MailingRequest(
            name="Demo: Spring drive (mass SMS)", include_groups=("SMS Supporters",),
            exclude_groups=("Board Members",), text=MASS_TEXT,
        ), settings)
        mailing_id = made.mailing.id
        skipped = made.report.skipped_by_reason()
        say(f"  draft mailing {mailing_id}: {plural(made.mailing.recipients, 'recipient')}; "
            f"{skip_summary(skipped)}")
        mailing.schedule(civicrm, store, mailing_id, None, settings)
        report = Runner(civicrm, settings, RunConfig(concurrency=8)).run()
        say(f"  jobs run: sent {report.total.sent}, failed {report.total.failed}, "
            f"unknown {report.total.unknown}")
        st = mailing.status(store, mailing_id)
        say.data["mailing"] = {
            "id": mailing_id, "recipients": made.mailing.recipients,
            "skipped_by_reason": skipped, "jobs_run": report.as_dict()["total"],
            "status": status_data(st),
        }
        if not say.as_json:
            click.echo(f"demo: civisms mailing status {mailing_id}")
            show_status(st, as_json=False)
    _outbox_tail(settings, say)


def _outbox_tail(settings: Settings, say: _Say) -> None:
    lines = settings.outbox.read_text(encoding="utf-8").splitlines()[-3:]
    say(f"  last lines of the outbox {settings.outbox}:")
    for line in lines:
        say(f"    {line}")
    say.data.setdefault("outbox", {"path": str(settings.outbox), "last": []})
    say.data["outbox"]["last"] = [json.loads(line) for line in lines]
