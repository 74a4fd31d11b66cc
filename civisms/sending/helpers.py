"""Helper processes: more senders on the same child job, without a lock of their own.

The process holding CiviCRM's ``data.mailing.job.{id}`` lock starts helpers with
``python -m civisms.sending.helpers`` before it builds the child's queue, so that their
imports overlap that work, then hands them their task on stdin (JSON: the database URL
never appears on a command line), or dismisses them with an empty one. Each helper
claims rows of that child with its own connection and reports its tally as one JSON line
on stdout. A helper asks the kernel to kill it when its parent dies
(``PR_SET_PDEATHSIG``): whoever takes the lock next may then treat every 'sending' row as
abandoned.
"""

from __future__ import annotations

import ctypes
import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
from contextlib import suppress
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from civisms.config import Settings
    from civisms.sending.delivery import Tally
    from civisms.sending.jobs import RunConfig

_PR_SET_PDEATHSIG = 1
#: The parent's pid, in the helper's environment (the task comes later, on stdin).
_PARENT = "CIVISMS_HELPER_PARENT"


def spawn(count: int) -> list[subprocess.Popen[str]]:
    """Start ``count`` helper processes; they import civisms, then wait for ``hand``.

    Started before the child's queue is built, so that their start-up (about 0.25 s of
    imports) overlaps it instead of delaying the sending.
    """
    env = {**os.environ, _PARENT: str(os.getpid())}
    return [subprocess.Popen([sys.executable, "-m", "civisms.sending.helpers"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
            for _ in range(max(0, count))]


def hand(procs: list[subprocess.Popen[str]], settings: Settings, config: RunConfig,
         job_id: int, limit: int) -> None:
    """Give each spawned helper its task: the child job, ``limit`` messages (0 = none).

    The task carries the few settings a helper uses, already parsed: a helper builds no
    ``Settings`` and so never imports pydantic (about 0.14 s of CPU of its 0.22 s start).
    """
    task = {
        "db": dataclasses.asdict(settings.db_params()), "domain_id": settings.domain_id,
        "outbox": str(settings.outbox), "public_url": settings.public_url,
        "region": settings.default_region, "max_segments": settings.max_segments,
        "job_id": job_id, "limit": limit,
        "workers": config.workers, "concurrency": config.concurrency, "batch": config.batch,
        "mps": config.mps, "http": config.http,
        "quiet": [str(config.quiet.start), str(config.quiet.end), config.quiet.tz]
        if config.quiet else None,
    }
    text = json.dumps(task)
    for proc in procs:
        assert proc.stdin is not None
        try:
            proc.stdin.write(text)
            proc.stdin.close()
        except OSError:  # it died meanwhile: join() reports it
            pass


def dismiss(procs: list[subprocess.Popen[str]]) -> None:
    """Send spawned helpers home without a task (nothing to deliver after all)."""
    for proc in procs:
        if proc.stdin is not None and not proc.stdin.closed:
            with suppress(OSError):
                proc.stdin.close()  # an empty task: the helper exits at once
        if proc.stdout is not None:
            proc.stdout.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def stop(procs: list[subprocess.Popen[str]]) -> None:
    """Ask helpers to finish what is in flight and stop claiming."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)


def join(procs: list[subprocess.Popen[str]]) -> list[Tally]:
    """Wait for helpers; their tallies (a crashed helper reports ``stopped``)."""
    from civisms.sending.delivery import Tally

    tallies = []
    for proc in procs:
        assert proc.stdout is not None
        out = proc.stdout.read()
        proc.stdout.close()
        proc.wait()
        lines = [line for line in (out or "").splitlines() if line.startswith("{")]
        if proc.returncode == 0 and lines:
            data = json.loads(lines[-1])
            tallies.append(Tally(**{k: data[k] for k in (
                "sent", "failed", "unknown", "released", "stopped", "fatal")}))
        else:
            tallies.append(Tally(stopped=f"helper {proc.pid} exited with {proc.returncode}"))
    return tallies


def _die_with_parent(parent: int) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: helpers then finish their batch
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def main() -> None:
    """Run one helper: import, read the task, deliver, print the tally."""
    _die_with_parent(int(os.environ.get(_PARENT, "0")) or os.getppid())
    stop_event = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop_event.set())
    # Imported before the task arrives: the parent is building the queue meanwhile.
    from pathlib import Path

    from civisms.bridge import gateway_row
    from civisms.civicrm.db import DbCiviCRM
    from civisms.civicrm.jobstore import JobStore
    from civisms.dbparams import DbParams
    from civisms.sending.delivery import Delivery, Options
    from civisms.sending.jobs import RunConfig, bucket_for, tuned_provider, worker_name
    from civisms.sending.quiet import QuietHours

    text = sys.stdin.read()
    if not text:  # dismissed: the parent found nothing for helpers to do
        return
    task: dict[str, Any] = json.loads(text)
    quiet = None
    if task["quiet"]:
        start_s, end_s, tz = task["quiet"]
        quiet = QuietHours.parse(f"{start_s[:5]}-{end_s[:5]}", tz)
    config = RunConfig(workers=task["workers"], concurrency=task["concurrency"],
                       batch=task["batch"], mps=task["mps"], http=task["http"], quiet=quiet,
                       stop=stop_event)
    civicrm = DbCiviCRM(DbParams(**task["db"]), domain_id=task["domain_id"])
    store = JobStore(civicrm, worker_name())
    store.prepare()
    mailer = store.mailer_settings()
    job = store.job(task["job_id"])
    mailing = store.mailing(job["mailing_id"]) if job else None
    if job is None or mailing is None:
        print(json.dumps({"sent": 0, "failed": 0, "unknown": 0, "released": 0,
                          "stopped": "job gone", "fatal": None}))
        return
    # The same row the parent sends through: a bridge row's gateway row (jobs._provider).
    every = civicrm.sms_providers()
    row = gateway_row(next(p for p in every if p.id == mailing["sms_provider_id"]), every)
    provider = tuned_provider(row, config, outbox=Path(task["outbox"]),
                              public_url=task["public_url"])
    options = Options(
        concurrency=config.concurrency, batch=config.batch, limit=task["limit"],
        region=task["region"], stop=stop_event,
        should_pause=(lambda: quiet.reason(datetime.now())) if quiet else (lambda: None))
    try:
        delivery = Delivery(store, job, mailing, mailer, provider,
                            bucket_for(provider, config, mailer, config.workers), options)
        delivery.max_segments = store.segment_override(mailing["id"]) or task["max_segments"]
        tally = delivery.run()
    finally:
        provider.close()
        civicrm.close()
    print(json.dumps(dataclasses.asdict(tally)), flush=True)


if __name__ == "__main__":
    main()
