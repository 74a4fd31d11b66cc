"""The sending engine every producer shares: claim, send many at once, decide, record.

The main thread owns the database: it claims messages (their 'sending' state committed
*before* any gateway call), hands them to sender threads, turns each gateway answer into
an outcome with ``civisms.errors.verdict`` (the never-twice rule) and writes outcomes in
batches. Sender threads only talk HTTP, each message through the provider's token bucket
(segments per second) and ``send_with_retry``, which retries only what ``verdict`` allows.

A subclass says where messages come from and how outcomes are recorded: ``claim``,
``outcome``, ``release``, ``write`` and optionally ``check`` (the mass job's
``delivery.Delivery``, the one-off journal's ``outbox.OutboxEngine``).

In flight: the engine starts ``Options.concurrency`` sender threads and, when the
provider's rate needs more, adds some (``window.Window``: Little's law, in flight =
rate x the latency it observes, bounded by ``Options.max_in_flight``), so a gateway that
answers in 200 ms still gets its full rate; more threads are kept only while they raise
the throughput.

Stopping: ``Options.stop`` set → nothing new is claimed, messages not yet handed to a
sender go back to pending, the ones with the gateway finish and are recorded. An
exception in the main thread (a second Ctrl-C) abandons those in flight as ``unknown``.
"""

from __future__ import annotations

import gc
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from civisms.providers import deadline
from civisms.providers.base import OutboundMessage, Provider, SendResult
from civisms.providers.http import RetryPolicy, send_with_retry
from civisms.sending.throttle import TokenBucket
from civisms.sending.window import MAX_IN_FLIGHT, Window

log = logging.getLogger("civisms.sending")

#: Never retries what may have reached the gateway (RetryPolicy's default, stated here).
ENGINE_POLICY = RetryPolicy(max_attempts=5, base_delay=0.5, max_delay=20.0,
                            retry_ambiguous=False)
#: Seconds between writes of outcomes (and at most this many outcomes per write): what a
#: kill can leave 'unknown' besides the messages in flight.
FLUSH_EVERY = 0.1
#: Seconds in-flight requests may still finish once a stop is asked, before they are cut.
STOP_GRACE = 2.0
FLUSH_SIZE = 200
#: Seconds between ``check`` calls (the mass job: is the job still Running?).
CHECK_EVERY = 1.0
#: Allocations between young-generation collections while sending (Python's default: 700).
GC_YOUNG = 20_000
_COUNTER = {"sent": "sent", "failed": "failed", "unknown": "unknown", "release": "released"}


@dataclass
class Tally:
    """What one engine run did."""

    sent: int = 0
    failed: int = 0
    unknown: int = 0
    released: int = 0
    stopped: str | None = None  # why it stopped before it was done
    fatal: str | None = None  # a gateway error that must stop every later run too

    def add(self, other: Tally) -> None:
        """Sum another tally into this one (stops and fatals: first one wins)."""
        self.sent += other.sent
        self.failed += other.failed
        self.unknown += other.unknown
        self.released += other.released
        self.stopped = self.stopped or other.stopped
        self.fatal = self.fatal or other.fatal

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.unknown


@dataclass
class Options:
    """How to send: concurrency, claim size, budget, stop signals, progress."""

    concurrency: int = 32  # sender threads to start with, and at least
    max_in_flight: int = MAX_IN_FLIGHT  # the most the window may grow to
    batch: int = 500
    limit: int = 0  # messages this run (0 = no limit)
    region: str | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    should_pause: Callable[[], str | None] = lambda: None  # quiet hours and the like
    progress: Callable[[Tally], None] | None = None
    policy: RetryPolicy = ENGINE_POLICY


@dataclass(frozen=True, slots=True)
class Work:
    """A claimed message on its way: the producer's row and what goes to the gateway."""

    row: Any
    text: str
    message: OutboundMessage


def _sender(provider: Provider, inbox: queue.SimpleQueue, outbox: queue.SimpleQueue,
            bucket: TokenBucket | None, policy: RetryPolicy, window: Window) -> None:
    timed = _Timed(bucket)
    clock = time.perf_counter
    while True:
        work = inbox.get()
        if work is None:
            return
        try:
            result: SendResult | None = send_with_retry(provider, work.message, policy,
                                                        throttle=timed)
            outbox.put((work, result, None))
        except Exception as exc:  # every failure is classified by the main thread
            outbox.put((work, None, exc))
        window.answered(clock() - timed.left)


class _Timed:
    """A sender's way through the token bucket, noting when its request left it."""

    __slots__ = ("bucket", "left")

    def __init__(self, bucket: TokenBucket | None) -> None:
        self.bucket = bucket
        self.left = time.perf_counter()

    def acquire(self, segments: int = 1) -> float:
        waited = self.bucket.acquire(segments) if self.bucket is not None else 0.0
        self.left = time.perf_counter()
        return waited


_GC_LOCK = threading.Lock()
_gc_users = 0  # engines running in this process (the service runs them in threads)
_gc_saved: tuple[int, int, int] = (700, 10, 10)


@contextmanager
def _sending_gc() -> Iterator[None]:
    """Garbage collection suited to the send loop, then as it was.

    Each message allocates a few dozen short-lived tuples and dicts, none in a cycle: at
    Python's default threshold the collector ran every few messages, and its full passes
    walked every object the imports made. Those are frozen (never examined) while any
    engine of the process runs, and the young generation is collected every ``GC_YOUNG``
    allocations; the last engine to finish puts the settings back.
    """
    global _gc_users, _gc_saved
    with _GC_LOCK:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(max(_gc_saved[0], GC_YOUNG), *_gc_saved[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_saved)
                gc.unfreeze()


class Engine:
    """The loop; subclasses supply ``claim``, ``outcome``, ``release`` and ``write``."""

    def __init__(self, provider: Provider, bucket: TokenBucket | None,
                 options: Options) -> None:
        self.provider = provider
        self.bucket = bucket
        self.options = options
        self.tally = Tally()
        self.outcomes: list[Any] = []
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()
        self.outbox: queue.SimpleQueue = queue.SimpleQueue()
        self.flying: dict[int, Work] = {}  # id(work) -> work handed to the senders
        self.claimed_total = 0
        self.window = Window(bucket.rate if bucket is not None else None,
                             options.concurrency, options.max_in_flight)
        self.senders = 0  # sender threads running (or told to stop and not yet stopped)

    # -- what a producer supplies ---------------------------------------------------------

    def claim(self, size: int) -> bool:
        """Claim up to ``size`` messages and ``hand`` them over; True when none is left."""
        raise NotImplementedError

    def outcome(self, work: Work, result: SendResult | None,
                exc: BaseException | None) -> Any:
        """The outcome to record for a gateway's answer (it has a ``state``)."""
        raise NotImplementedError

    def release(self, work: Work) -> Any:
        """The outcome of a message never handed to the gateway: pending again."""
        raise NotImplementedError

    def abandon(self, work: Work) -> Any:
        """The outcome of a message left with the gateway when the run was interrupted."""
        raise NotImplementedError

    def write(self, outcomes: list[Any]) -> None:
        """Record a batch of outcomes."""
        raise NotImplementedError

    def check(self) -> str | None:
        """A reason to stop, asked every ``CHECK_EVERY`` seconds (None: go on)."""
        return None

    # -- the loop -------------------------------------------------------------------------

    @property
    def in_flight(self) -> int:
        return len(self.flying)

    def run(self) -> Tally:
        """Send until nothing is pending, or a reason to stop."""
        with _sending_gc():
            return self._run()

    def _run(self) -> Tally:
        opts = self.options
        self._senders(self.window.size)
        exhausted = False
        last_flush = last_check = time.monotonic()
        stopping_since: float | None = None
        try:
            while True:
                # Top up once half is used, so claims stay large (fewer transactions).
                while not exhausted and self.tally.stopped is None and \
                        self.in_flight <= self.window.size:
                    exhausted = self._top_up()
                if self.in_flight == 0:
                    break
                self._collect(timeout=FLUSH_EVERY)
                now = time.monotonic()
                self._senders(self.window.adjust(now))
                if opts.stop.is_set() and self.flying:
                    # Asked to stop (SIGTERM): in-flight requests get STOP_GRACE seconds,
                    # then are cut; what they sent is recorded 'unknown', never resent.
                    if stopping_since is None:
                        stopping_since = now
                        self.stop("stop requested")  # what no sender has picked up: pending
                    if now - stopping_since >= STOP_GRACE:
                        deadline.abort_all()
                if len(self.outcomes) >= FLUSH_SIZE or now - last_flush >= FLUSH_EVERY:
                    self.flush()
                    last_flush = now
                if now - last_check >= CHECK_EVERY and self.tally.stopped is None:
                    last_check = now
                    reason = self.check()
                    if reason:
                        self.stop(reason)
        except BaseException:
            self.stop("interrupted")  # take back what no sender has picked up yet
            for work in list(self.flying.values()):
                self.settle(self.abandon(work))
            self.flying.clear()
            raise
        finally:
            for _ in range(self.senders):
                self.inbox.put(None)
            self.flush()
        return self.tally

    def _top_up(self) -> bool:
        opts = self.options
        reason = "stop requested" if opts.stop.is_set() else opts.should_pause()
        if reason:
            self.tally.stopped = reason
            return True
        # Never more than 2 x the window claimed and unsettled: a kill leaves no more unknown.
        size = min(opts.batch, 2 * self.window.size - self.in_flight)
        if opts.limit:
            size = min(size, opts.limit - self.claimed_total)
            if size <= 0:
                self.tally.stopped = f"limit of {opts.limit} messages reached"
                return True
        return self.claim(size)

    def _senders(self, wanted: int) -> None:
        """Start or stop sender threads to have ``wanted`` (one stops after the messages
        already handed over: a ``None`` in the inbox)."""
        if self.senders and abs(wanted - self.senders) * 4 >= self.senders:  # big moves only
            log.info("event=window in_flight=%s was=%s", wanted, self.senders)
        while self.senders < wanted:
            threading.Thread(target=_sender, daemon=True, name=f"sms-{self.senders}", args=(
                self.provider, self.inbox, self.outbox, self.bucket, self.options.policy,
                self.window)).start()
            self.senders += 1
        while self.senders > wanted:
            self.inbox.put(None)
            self.senders -= 1

    def hand(self, work: Work) -> None:
        """Give a claimed message to the senders."""
        self.flying[id(work)] = work
        self.inbox.put(work)

    def _collect(self, timeout: float) -> None:
        try:
            first = self.outbox.get(timeout=timeout)
        except queue.Empty:
            return
        batch = [first]
        while True:
            try:
                batch.append(self.outbox.get_nowait())
            except queue.Empty:
                break
        for work, result, exc in batch:
            if self.flying.pop(id(work), None) is not None:
                self.settle(self.outcome(work, result, exc))

    def stop(self, reason: str) -> None:
        """Stop claiming; take back what the senders have not picked up yet."""
        self.tally.stopped = self.tally.stopped or reason
        retired = 0
        while True:
            try:
                work = self.inbox.get_nowait()
            except queue.Empty:
                break
            if work is None:  # a sender told to stop: it still must
                retired += 1
                continue
            self.flying.pop(id(work), None)
            self.settle(self.release(work))
        for _ in range(retired):
            self.inbox.put(None)

    def settle(self, outcome: Any) -> None:
        """Count an outcome and queue it for the next write."""
        self.outcomes.append(outcome)
        counter = _COUNTER[outcome.state]
        setattr(self.tally, counter, getattr(self.tally, counter) + 1)

    def flush(self) -> None:
        """Write the outcomes gathered so far."""
        if not self.outcomes:
            return
        outcomes, self.outcomes = self.outcomes, []
        self.write(outcomes)
        if self.options.progress is not None:
            self.options.progress(self.tally)
