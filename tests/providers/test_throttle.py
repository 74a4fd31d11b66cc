"""The segments-per-second token bucket."""

from __future__ import annotations

import threading
import time

import pytest
from provider_helpers import make_row

from civisms.providers.base import OutboundMessage
from civisms.providers.http import send_with_retry
from civisms.providers.local import LocalProvider
from civisms.sending.throttle import TokenBucket


class FakeClock:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def max_in_window(times: list[float], segments: list[int], window: float = 1.0) -> int:
    """Most segments started in any half-open window [t, t + window)."""
    best = 0
    for start in times:
        best = max(best, sum(s for t, s in zip(times, segments, strict=True)
                             if start <= t < start + window - 1e-9))
    return best


def test_two_segments_per_second_held_over_a_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(20):
        bucket.acquire(1)
        times.append(clock.now - 100.0)
    assert times[:4] == [0.0, 0.5, 1.0, 1.5]
    assert max_in_window(times, [1] * 20) == 2  # never more than 2 in any second
    assert times[-1] == pytest.approx(9.5)  # and no slower than the limit


def test_multi_segment_messages_pay_for_every_segment() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2, clock=clock, sleep=clock.sleep)
    segments = [1, 3, 1, 2, 1, 1]
    times = []
    for n in segments:
        bucket.acquire(n)
        times.append(clock.now - 100.0)
    # 3 segments at t=0.5 leave the bucket in debt until 2.0: the next waits for it.
    assert times == [0.0, 0.5, 2.0, 2.5, 3.5, 4.0]
    assert sum(segments) / (times[-1] + 0.5) == pytest.approx(2.0)


def test_burst_after_idle_then_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2, burst=4, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(6):
        bucket.acquire()
        times.append(clock.now - 100.0)
    assert times == [0.0, 0.0, 0.0, 0.0, 0.5, 1.0]
    with pytest.raises(ValueError):
        TokenBucket(0)
    with pytest.raises(ValueError):
        TokenBucket(1, burst=0.5)


def test_real_time_burst_through_send_with_retry_from_threads() -> None:
    """Behaviour, not a benchmark: 8 one-segment messages at 2/s from 4 threads."""
    provider = LocalProvider.from_row(make_row("org.civisms.local", "civisms_mps=2"))
    bucket = TokenBucket(provider.mps)
    stamps: list[float] = []
    lock = threading.Lock()
    start = time.monotonic()

    def worker(n: int) -> None:
        for i in range(2):
            send_with_retry(provider, OutboundMessage(f"+1555000{n}{i:03d}", "x"),
                            throttle=bucket)
            with lock:
                stamps.append(time.monotonic() - start)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    stamps.sort()
    assert len(provider.sent()) == 8
    assert 3.4 <= elapsed <= 6.0  # 7 gaps of 0.5 s, generous upper bound for slow machines
    # Never more than 2 sends in any second (sends are timestamped after the fact, so
    # allow a few ms of scheduling noise at the window edges).
    assert max_in_window(stamps, [1] * 8, window=1.0 - 0.05) <= 2
