"""The scheduled mass-SMS job: what ``Job.process_sms`` does, claimed and resumable.

One run (``run_once``), in CiviCRM's order (COMPAT §3.5):

1. optional ``worker.mailing.send.{n}`` lock when ``mailerJobsMax`` > 0;
2. ``runJobs_pre``: due parent jobs are split into child jobs (``mailerJobSize``) under
   ``data.mailing.job.{parent}``; parent and mailing go Running;
3. ``runJobs``: each due child, under ``data.mailing.job.{child}`` (skipped when CiviCRM's
   cron or another civisms holds it), gets its queue once, then is delivered by this
   process and ``workers - 1`` helper processes claiming rows of the same child;
   rows left 'sending' by a dead worker become 'unknown'; a child with nothing pending
   goes Complete;
4. ``runJobs_post``: parents with no open child go Complete, and their mailings.

Helpers die with the process that holds the lock (``PR_SET_PDEATHSIG``), so a lock holder
knows any 'sending' row it finds is nobody's any more.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from civisms.bridge import gateway_row
from civisms.civicrm.db import DbCiviCRM
from civisms.civicrm.jobstore import JobStore, MailerSettings
from civisms.errors import CivismsError
from civisms.providers.base import Provider
from civisms.providers.registry import provider_for
from civisms.sending import helpers
from civisms.sending.delivery import Delivery, Options, Tally
from civisms.sending.mailing_policy import pause_reason
from civisms.sending.quiet import QuietHours
from civisms.sending.throttle import TokenBucket
from civisms.sending.window import MAX_IN_FLIGHT

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path

    from civisms.config import Settings

log = logging.getLogger("civisms.jobs")


@dataclass
class RunConfig:
    """Options of ``civisms jobs run``."""

    workers: int = 1  # processes sharing each child job
    #: A child job of fewer rows is sent by this process alone (0: always ``workers``):
    #: starting a helper costs more than it saves on a small child.
    helper_min_rows: int = 0
    concurrency: int = 32  # messages in flight per process
    batch: int = 500  # rows per claim
    limit: int | None = None  # messages per run; None = mailerBatchLimit
    mps: float | None = None  # segments per second per provider; None = the provider's
    job_size: int | None = None  # None = mailerJobSize
    quiet: QuietHours | None = None
    http: str = "lean"  # transport for the hot path unless the row sets civisms_http
    stop: threading.Event = field(default_factory=threading.Event)
    progress: Callable[[dict[str, Any]], None] | None = None
    mailing_id: int | None = None  # only this mailing's jobs (jobs run --mailing)


@dataclass
class RunReport:
    """What one run did; ``as_dict`` is the ``--json`` summary."""

    split: list[int] = field(default_factory=list)
    children: list[dict[str, Any]] = field(default_factory=list)
    busy: list[int] = field(default_factory=list)
    completed: list[int] = field(default_factory=list)
    paused: dict[int, str] = field(default_factory=dict)
    resolved: dict[str, int] = field(default_factory=dict)
    quiet_until: str | None = None
    stopped: str | None = None
    total: Tally = field(default_factory=Tally)
    #: After the pass: about how many messages later passes send, and when the next is due.
    still_due: int = 0
    next_due: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["total"] = {k: v for k, v in data["total"].items() if k not in ("fatal",)}
        return data


def worker_name() -> str:
    """``host:pid``: who claimed a row, as shown in ``civisms_queue_state.worker``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def tuned_provider(row: Any, config: RunConfig, *, outbox: Path,
                   public_url: str | None) -> Provider:
    """The provider for mass sending: the lean HTTP client and a connection pool as large
    as the messages in flight, unless the row's ``api_params`` chose otherwise."""
    params = {"civisms_http": config.http,
              "civisms_pool": str(max(config.concurrency, MAX_IN_FLIGHT)),
              **row.api_params}
    return provider_for(dataclasses.replace(row, api_params=params), outbox=outbox,
                        public_url=public_url)


def bucket_for(provider: Provider, config: RunConfig, settings: MailerSettings,
               share: int) -> TokenBucket:
    """Segments per second for this process: the provider's rate split between workers."""
    rate = config.mps or provider.mps
    if settings.throttle_us:
        rate = min(rate, 1_000_000 / settings.throttle_us)  # mailThrottleTime, as a rate
    rate = rate / max(1, share)
    return TokenBucket(rate, burst=max(1.0, rate / 10))


class Runner:
    """One ``jobs run`` pass over the due mailings of the domain."""

    def __init__(self, civicrm: DbCiviCRM, settings: Settings, config: RunConfig) -> None:
        self.civicrm = civicrm
        self.settings = settings
        self.config = config
        self.store = JobStore(civicrm, worker_name())
        self.report = RunReport()
        self._providers: dict[int, Provider] = {}
        self._limit = 0  # messages allowed this run (0 = no limit), and how many are left
        self._left = 0
        self._total = 0  # messages this pass may send, for the live line

    def run(self) -> RunReport:
        """Split, deliver, complete; resumable at any point."""
        store = self.store
        store.prepare()
        mailer = store.mailer_settings()
        self._limit = self.config.limit if self.config.limit is not None else mailer.batch_limit
        self._left = self._limit
        slot = self._worker_slot(mailer)
        if slot is False:
            self.report.stopped = "mailerJobsMax senders are already running"
            return self.report
        try:
            self._split(mailer)
            if self.config.progress:  # the live line's total: what this pass may send
                due = store.still_due(self.config.mailing_id)[0]
                self._total = min(due, self._limit) if self._limit else due
            for child in store.due_children(mailer, _now()):
                if not self._chosen(child):
                    continue
                if self._should_stop(mailer):
                    break
                self._child(child["id"], mailer)
            self.report.completed = store.complete_parents(_now())
            due, when = store.still_due(self.config.mailing_id)
            self.report.still_due = due
            self.report.next_due = f"{when:%Y-%m-%d %H:%M:%S}" if when and due else None
        finally:
            if isinstance(slot, str):
                store.release(slot, server_wide=mailer.server_wide_lock)
            for provider in self._providers.values():
                provider.close()
        return self.report

    def resolve_unknown(self, how: str, mailing_id: int | None = None) -> int:
        """Settle rows whose outcome is unknown: ``resend`` them or close them ``failed``."""
        store = self.store
        store.prepare()
        mailer = store.mailer_settings()
        self._limit = self._left = 0
        settled = 0
        for entry in store.unknown_by_job(mailing_id):
            name = f"data.mailing.job.{entry['job_id']}"
            if not store.acquire(name):
                self.report.busy.append(entry["job_id"])
                continue
            try:
                settled += store.settle_unknown(entry["job_id"], how)
                if how == "resend":
                    job = store.job(entry["job_id"])
                    if job is not None:
                        self._deliver(job, mailer)
            finally:
                store.release(name)
        self.report.resolved[how] = settled
        return settled

    # -- steps ------------------------------------------------------------------------------

    def _worker_slot(self, mailer: MailerSettings) -> str | bool:
        if mailer.jobs_max <= 0:
            return True
        for n in range(1, mailer.jobs_max + 1):
            name = f"worker.mailing.send.{n}"
            if self.store.acquire(name, 0, server_wide=mailer.server_wide_lock):
                return name
        return False

    def _split(self, mailer: MailerSettings) -> None:
        size = mailer.job_size if self.config.job_size is None else self.config.job_size
        for parent in self.store.due_parents(mailer, _now()):
            if not self._chosen(parent):
                continue
            name = f"data.mailing.job.{parent['id']}"
            if not self.store.acquire(name):
                self.report.busy.append(parent["id"])
                continue
            try:
                made = self.store.split_parent(parent["id"], size, _now())
                if made is None:
                    continue
                log.info("event=split parent=%s mailing=%s children=%s", parent["id"],
                         parent["mailing_id"], made)
                self.report.split.append(parent["id"])
            finally:
                self.store.release(name)

    def _chosen(self, job: dict[str, Any]) -> bool:
        """Whether this pass works on the job's mailing (all, or the one of --mailing)."""
        return self.config.mailing_id is None or job["mailing_id"] == self.config.mailing_id

    def _child(self, job_id: int, mailer: MailerSettings) -> None:
        store = self.store
        name = f"data.mailing.job.{job_id}"
        if not store.acquire(name):
            self.report.busy.append(job_id)  # CiviCRM's cron or another civisms has it
            return
        try:
            job = store.job(job_id)
            if job is None or job["status"] not in ("Scheduled", "Running"):
                return
            workers = self._workers(job)
            spawned = helpers.spawn(workers - 1)
            try:
                queued = store.start_child(job, _now())
                if queued:
                    log.info("event=queued job=%s mailing=%s rows=%s", job_id,
                             job["mailing_id"], queued)
                job = store.job(job_id) or job
                stale = store.mark_stale(job_id)
                if stale:
                    log.warning("event=unknown job=%s rows=%s reason=worker died while "
                                "sending", job_id, stale)
            except BaseException:
                helpers.dismiss(spawned)
                raise
            tally = self._deliver(job, mailer, workers, spawned)
            if tally.stopped is None and store.open_counts(job_id) == (0, 0):
                store.complete_job(job_id, _now())
        finally:
            store.release(name)

    def _workers(self, job: dict[str, Any]) -> int:
        """Processes for a child job: one for a small one, ``--workers`` otherwise."""
        if int(job.get("job_limit") or 0) < self.config.helper_min_rows:
            return 1
        return max(1, self.config.workers)

    def _deliver(self, job: dict[str, Any], mailer: MailerSettings, workers: int | None = None,
                 spawned: list[subprocess.Popen[str]] | None = None) -> Tally:
        """Deliver a child job with ``workers`` processes: this one and the ``spawned``
        helpers (spawned here when not given)."""
        store = self.store
        if workers is None or spawned is None:
            workers = self._workers(job)
            spawned = helpers.spawn(workers - 1)
        try:
            mailing = store.mailing(job["mailing_id"])
            if mailing is None:
                helpers.dismiss(spawned)
                return Tally()
            reason = pause_reason(mailing["body_text"] or "")
            if reason:  # made in CiviCRM with tokens no one can render: never sent as typed
                helpers.dismiss(spawned)
                return self._pause(mailing["id"], reason)
            try:
                provider = self._provider(mailing["sms_provider_id"])
            except CivismsError as exc:
                helpers.dismiss(spawned)
                return self._pause(mailing["id"], f"SMS provider unusable: {exc}")
            options = self._options(workers)
        except BaseException:
            helpers.dismiss(spawned)
            raise
        helpers.hand(spawned, self.settings, self.config, job["id"], options.limit)
        delivery = Delivery(store, job, mailing, mailer, provider,
                            bucket_for(provider, self.config, mailer, workers), options)
        delivery.max_segments = (store.segment_override(mailing["id"])
                                 or self.settings.max_segments)
        try:
            tally = delivery.run()
        except BaseException:
            helpers.stop(spawned)
            helpers.join(spawned)
            raise
        if tally.stopped:
            helpers.stop(spawned)
        for other in helpers.join(spawned):
            tally.add(other)
        stale = store.mark_stale(job["id"])  # a helper that crashed left these behind
        tally.unknown += stale
        self.report.total.add(tally)
        self.report.children.append({"job_id": job["id"], "mailing_id": job["mailing_id"],
                                     **{k: v for k, v in dataclasses.asdict(tally).items()
                                        if k != "fatal"}})
        self._left -= tally.handled
        log.info("event=delivered job=%s mailing=%s sent=%s failed=%s unknown=%s stopped=%s",
                 job["id"], job["mailing_id"], tally.sent, tally.failed, tally.unknown,
                 tally.stopped)
        if tally.fatal:
            self._pause(mailing["id"], tally.fatal)
        elif tally.stopped:
            self.report.stopped = self.report.stopped or tally.stopped
        return tally

    def _pause(self, mailing_id: int, reason: str) -> Tally:
        log.error("event=paused mailing=%s reason=%s", mailing_id, reason)
        self.store.pause_mailing(mailing_id, reason, _now())
        self.report.paused[mailing_id] = reason
        return Tally(stopped=f"paused: {reason}")

    def _provider(self, provider_id: int | None) -> Provider:
        from civisms.errors import ConfigError

        if provider_id is None:
            raise ConfigError("civicrm_mailing.sms_provider_id", "NULL", "an SMS provider id")
        if provider_id not in self._providers:
            every = self.civicrm.sms_providers()
            rows = [p for p in every if p.id == provider_id]
            if not rows:
                raise ConfigError("civicrm_mailing.sms_provider_id", str(provider_id),
                                  "an existing SMS provider")
            # A mailing made in CiviCRM's wizard names the bridge row: send through its gateway.
            self._providers[provider_id] = tuned_provider(
                gateway_row(rows[0], every), self.config, outbox=self.settings.outbox,
                public_url=self.settings.public_url)
        return self._providers[provider_id]

    def _options(self, workers: int) -> Options:
        share = max(0, self._left) if self._limit else 0
        quiet = self.config.quiet
        return Options(
            concurrency=self.config.concurrency, batch=self.config.batch,
            limit=(share // workers + (share % workers > 0)) if self._limit else 0,
            region=self.settings.default_region, stop=self.config.stop,
            should_pause=(lambda: quiet.reason(datetime.now())) if quiet else (lambda: None),
            progress=self._progress if self.config.progress else None,
        )

    def _progress(self, tally: Tally) -> None:
        assert self.config.progress is not None
        done = self.report.total
        self.config.progress({"sent": done.sent + tally.sent,
                              "failed": done.failed + tally.failed,
                              "unknown": done.unknown + tally.unknown,
                              "total": self._total})

    def _should_stop(self, mailer: MailerSettings) -> bool:
        if self.config.stop.is_set():
            self.report.stopped = self.report.stopped or "stop requested"
            return True
        if self.config.quiet is not None:
            reason = self.config.quiet.reason(datetime.now())
            if reason:
                self.report.stopped = reason
                self.report.quiet_until = self.config.quiet.until(datetime.now()).isoformat()
                return True
        return bool(self._limit) and self._left <= 0


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)
