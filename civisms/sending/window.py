"""How many messages the engine keeps with the gateway at once (docs/jobs.md, "In flight").

Little's law: to send ``rate`` messages per second through a gateway that answers in
``latency`` seconds, about ``rate x latency`` must be in flight. The engine's sender
threads note when each request leaves the token bucket and when its answer comes back;
every ``ADJUST_EVERY`` seconds ``Window.adjust`` turns what they saw into a window size:

* the provider's rate (the token bucket's) times the mean latency, with some headroom,
  bounded by the configured concurrency below and ``ceiling`` above;
* a larger window is a trial, judged on the interval after the one it starts in: when
  the throughput did not rise with it, the bottleneck is
  elsewhere (this host's CPU, the database) and the window goes back and holds for
  ``HOLD`` seconds, so extra threads never cost CPU for nothing;
* a window grows only while this process has CPU to spare: at ``BUSY`` of a core (the
  GIL lets Python use about one), answers come late because the senders queue for the
  CPU, not because the gateway is slow, and more threads would only add to the queue;
  with the machine's CPUs at ``MACHINE_BUSY`` (other workers, the database on the same
  host) it grows by doubling, each step judged like any other;
* the rate itself is never exceeded: every request still passes the token bucket.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

#: The most messages one process keeps in flight unless --concurrency asks for more.
MAX_IN_FLIGHT = 512
#: Seconds between adjustments (long enough to see a few hundred answers at speed).
ADJUST_EVERY = 0.5
#: In flight = rate x latency x HEADROOM (answers vary; the bucket caps the rate anyway).
HEADROOM = 1.25
#: A grown window must raise the throughput by this factor, or it is undone.
GAIN = 1.1
#: Seconds to keep an undone window before trying to grow again.
HOLD = 10.0
#: Answers needed before the latency is trusted.
MIN_ANSWERS = 8
#: CPU seconds per second of this process above which a window does not grow.
BUSY = 0.8
#: Share of the machine's CPU time in use above which a window grows by doubling only.
MACHINE_BUSY = 0.9


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU ticks of the whole machine so far (Linux ``/proc/stat``;
    elsewhere (0, 0), which never counts as busy)."""
    try:
        with open("/proc/stat", "rb") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user time
    return float(total - idle), float(total)


class Window:
    """The in-flight limit of one engine; thread-safe ``asked``/``answered`` counters."""

    def __init__(self, rate: float | None, floor: int, ceiling: int = MAX_IN_FLIGHT,
                 cpu: Callable[[], float] = time.process_time,
                 machine: Callable[[], tuple[float, float]] = machine_cpu) -> None:
        self.rate = rate  # messages (segments) per second allowed; None: no limit known
        self.floor = max(1, floor)
        self.ceiling = max(self.floor, ceiling)
        self.size = self.floor
        self._lock = threading.Lock()
        self._answers = 0
        self._seconds = 0.0
        self._since: float | None = None
        # (size before, rate before, settled): a grown window is judged on the interval
        # after the one it was grown in (new threads, new claims and a latency to wait).
        self._trial: tuple[int, float, bool] | None = None
        self._hold_until = 0.0
        self._cpu = cpu
        self._cpu_since = 0.0
        self._machine = machine
        self._machine_since = (0.0, 0.0)

    def answered(self, seconds: float) -> None:
        """A sender got an answer ``seconds`` after its request left the bucket."""
        with self._lock:
            self._answers += 1
            self._seconds += seconds

    def adjust(self, now: float) -> int:
        """The window size from what was seen since the last adjustment."""
        if self._since is None:
            self._since, self._cpu_since, self._machine_since = now, self._cpu(), self._machine()
            return self.size
        elapsed = now - self._since
        if elapsed < ADJUST_EVERY or self.rate is None:
            return self.size
        with self._lock:
            answers, seconds = self._answers, self._seconds
            self._answers, self._seconds = 0, 0.0
        cpu, machine = self._cpu(), self._machine()
        ticks = machine[1] - self._machine_since[1]
        busy = (cpu - self._cpu_since) / elapsed >= BUSY
        crowded = ticks > 0 and (machine[0] - self._machine_since[0]) / ticks >= MACHINE_BUSY
        self._since, self._cpu_since, self._machine_since = now, cpu, machine
        if self._trial is not None and not self._trial[2]:
            self._trial = (*self._trial[:2], True)
            return self.size
        if answers < MIN_ANSWERS:
            self._trial = None
            return self.size
        throughput = answers / elapsed
        need = min(self.ceiling, max(self.floor,
                                     math.ceil(self.rate * seconds / answers * HEADROOM)))
        if self._trial is not None:
            before, before_rate, _ = self._trial
            self._trial = None
            if throughput < before_rate * GAIN and need > before:
                self.size = before  # more in flight did not help: the limit is elsewhere
                self._hold_until = now + HOLD
                return self.size
        if need > self.size:
            if now >= self._hold_until and throughput < self.rate * 0.95 and not busy:
                self._trial = (self.size, throughput, False)
                # On a crowded machine a slow gateway still wants more in flight (waiting
                # threads cost nothing), but a fast one is short of CPU: grow by doubling,
                # each step judged, rather than to the whole estimate at once.
                self.size = min(need, 2 * self.size) if crowded else need
        elif need < self.size:
            self.size = need  # the gateway got faster: fewer threads busy for the same rate
        return self.size
