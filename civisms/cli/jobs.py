"""``civisms jobs``: the scheduled mass-SMS job (CiviCRM's "Send Scheduled SMS", done fast)."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from typing import Any

import click

from civisms.cli import FiniteFloat, print_json
from civisms.cli.words import duration, id_list
from civisms.errors import NotSupportedByBackend

log = logging.getLogger("civisms.jobs")

#: The default --workers: one process per CPU this process may run on, at most this many.
MAX_AUTO_WORKERS = 8
#: With the default --workers, a child job smaller than this is sent by one process.
HELPER_MIN_ROWS = 2000


def auto_workers() -> int:
    """One worker per CPU available to this process (bench/bench_jobs.py --defaults
    measures it against explicit flags), at most ``MAX_AUTO_WORKERS``."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_AUTO_WORKERS, cpus))


@click.group("jobs")
def command() -> None:
    """Scheduled jobs: send the mass SMS scheduled in CiviCRM.

    \b
    Example (crontab, every minute):
        * * * * * civisms jobs run --once --json >> /var/log/civisms/jobs.log 2>&1
    """


@command.command("run")
@click.option("--once/--forever", default=True,
              help="One pass (cron) or keep running (daemon). Default: --once.")
@click.option("--interval", type=FiniteFloat(min=0.1, max=86400), default=30.0, show_default=True,
              metavar="SECONDS", help="With --forever: pause between passes with nothing due.")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=None,
              help="Processes sharing each child job on this host (default: one per CPU, "
                   f"up to {MAX_AUTO_WORKERS}, for child jobs of {HELPER_MIN_ROWS:,} "
                   "messages or more; one process for smaller ones).")
@click.option("--concurrency", type=click.IntRange(min=1, max=1024), default=64,
              show_default=True, help="Messages in flight per process.")
@click.option("--limit", type=click.IntRange(min=0), default=None, metavar="N",
              help="Messages per pass (default: CiviCRM's mailerBatchLimit; 0 = no limit).")
@click.option("--batch", type=click.IntRange(min=1, max=5000), default=500, show_default=True,
              help="Queue rows claimed at a time.")
@click.option("--mps", type=FiniteFloat(min=0.001, max=1_000_000), default=None, metavar="RATE",
              help="Segments per second per provider on this host (default: the provider's).")
@click.option("--job-size", type=click.IntRange(min=0), default=None, metavar="N",
              help="Split new mailings into child jobs of N (default: mailerJobSize).")
@click.option("--quiet-hours", envvar="CIVISMS_QUIET_HOURS", metavar="HH:MM-HH:MM",
              help="Send nothing between these local times (e.g. 21:00-08:00).")
@click.option("--timezone", envvar="CIVISMS_TIMEZONE", metavar="ZONE",
              help="Zone of --quiet-hours (default: this host's).")
@click.option("--resolve-unknown", type=click.Choice(["resend", "failed"]), default=None,
              help="First settle messages whose outcome is unknown after a crash.")
@click.option("--mailing", "mailing_id", type=int, default=None, metavar="ID",
              help="Only this mailing: its jobs are split and sent, others wait (with "
                   "--resolve-unknown: only its unknown messages are settled).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar (default: when stderr is a terminal).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@click.pass_obj
def run(obj: Any, once: bool, interval: float, workers: int | None, concurrency: int,
        limit: int | None, batch: int, mps: float | None, job_size: int | None,
        quiet_hours: str | None, timezone: str | None, resolve_unknown: str | None,
        mailing_id: int | None, progress: bool | None, as_json: bool) -> None:
    """Send due mass SMS: split jobs, queue, send, record, complete (Job.process_sms).

    Safe to run from several hosts at once and beside CiviCRM's own cron: rows are
    claimed atomically and CiviCRM's job locks are taken. After a crash, rows whose
    outcome is unknown are never resent unless you say so with --resolve-unknown.

    \b
    Examples:
        civisms jobs run --once --json
        civisms jobs run --forever --workers 2 --quiet-hours 21:00-08:00
        civisms jobs run --resolve-unknown failed --mailing 12
    """
    from civisms.sending.jobs import RunConfig, Runner, RunReport
    from civisms.sending.quiet import QuietHours

    settings = obj.settings
    if settings.backend != "db":
        raise NotSupportedByBackend(
            "civisms jobs run needs CIVISMS_BACKEND=db: CiviCRM's API v4 cannot write "
            "mailing jobs or queue rows (COMPAT §3.4)")
    quiet = QuietHours.parse(quiet_hours, timezone) if quiet_hours else None
    stop = threading.Event()
    _on_signals(stop)
    show_bar = sys.stderr.isatty() if progress is None else progress
    _logging(quiet=show_bar)
    bar = _Bar() if show_bar else None
    config = RunConfig(workers=workers or auto_workers(),
                       helper_min_rows=HELPER_MIN_ROWS if workers is None else 0,
                       concurrency=concurrency, batch=batch, limit=limit,
                       mps=mps, job_size=job_size, quiet=quiet, stop=stop,
                       progress=bar.update if bar else None, mailing_id=mailing_id)
    runs: list[RunReport] = []
    started = time.monotonic()
    with obj.civicrm() as civicrm:
        if resolve_unknown:
            resolver = Runner(civicrm, settings, config)
            resolver.resolve_unknown(resolve_unknown, mailing_id)
            runs.append(resolver.report)
        while not stop.is_set():
            report = Runner(civicrm, settings, config).run()
            runs.append(report)
            if once:
                break
            idle = report.total.handled == 0 and not report.split
            pause = interval if idle else 0.0
            if report.quiet_until:
                pause = max(interval, 60.0)
            stop.wait(pause)
    if bar:
        bar.close()
    summary = _summary(runs, time.monotonic() - started)
    if as_json:
        print_json(summary)
    else:
        t = summary["total"]
        click.echo(f"sent {t['sent']:,}, failed {t['failed']:,}, unknown {t['unknown']:,} "
                   f"in {summary['seconds']:.1f} s; completed mailings: "
                   f"{id_list(summary['completed'])}")
        if summary["still_due"]:
            click.echo(f"{summary['still_due']:,} more due (the next at "
                       f"{summary['next_due'] or 'now'}); the next pass sends them")
        for mailing, reason in summary["paused"].items():
            click.echo(f"paused mailing {mailing}: {reason}", err=True)
        if summary["stopped"]:
            click.echo(f"stopped: {summary['stopped']}", err=True)
    unknown = summary["total"]["unknown"]
    if unknown:
        click.echo(f"civisms: {unknown} messages may or may not have reached the gateway "
                   "(unknown); see civisms mailing status ID, settle with: civisms jobs run "
                   "--resolve-unknown failed (or resend) [--mailing ID]", err=True)
    if summary["paused"] or unknown:
        sys.exit(1)


def _summary(runs: list[Any], seconds: float) -> dict[str, Any]:
    total = {"sent": 0, "failed": 0, "unknown": 0, "released": 0}
    data: dict[str, Any] = {"runs": len(runs), "seconds": round(seconds, 3), "split": [],
                            "children": [], "busy": [], "completed": [], "paused": {},
                            "resolved": {}, "stopped": None, "quiet_until": None,
                            "still_due": 0, "next_due": None}
    for report in runs:
        part = report.as_dict()
        for key in total:
            total[key] += part["total"][key]
        for key in ("split", "children", "busy", "completed"):
            data[key].extend(part[key])
        data["paused"].update({str(k): v for k, v in part["paused"].items()})
        data["resolved"].update(part["resolved"])
        data["stopped"] = part["stopped"] or data["stopped"]
        data["quiet_until"] = part["quiet_until"] or data["quiet_until"]
        data["still_due"], data["next_due"] = part["still_due"], part["next_due"]
    data["total"] = total
    data["rate"] = round(total["sent"] / seconds, 1) if seconds > 0 else None
    return data


def _on_signals(stop: threading.Event) -> None:
    """First SIGTERM/SIGINT: finish what is in flight and stop; a second INT: exit now."""

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)


def _logging(*, quiet: bool) -> None:
    """Structured ``key=value`` lines on stderr (warnings only under a progress bar)."""
    if logging.getLogger().handlers:
        return
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO, stream=sys.stderr,
        format="%(asctime)s level=%(levelname)s logger=%(name)s %(message)s")


class _Bar:
    """A one-line progress display on the terminal: counts of the total, rate and ETA."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.last = 0.0

    def update(self, counts: dict[str, int]) -> None:
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        done = counts["sent"] + counts["failed"] + counts["unknown"]
        rate = done / max(1e-6, now - self.started)
        total = counts.get("total") or 0
        of = f" of {total:,}" if total else ""
        eta = f"  ETA {duration((total - done) / rate)}" if total > done and rate > 0 else ""
        click.echo(f"\rsent {counts['sent']:>9,}{of}  failed {counts['failed']:>7,}  "
                   f"unknown {counts['unknown']:>5,}  {rate:8,.0f} msg/s{eta}   ", nl=False,
                   err=True)

    def close(self) -> None:
        if self.last:
            click.echo("", err=True)
