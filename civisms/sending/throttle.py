"""Rate limits in message segments per second (PROVIDERS §5: gateways count segments).

``TokenBucket`` holds at most ``burst`` segments and refills at ``rate`` per second.
``acquire(n)`` blocks until the bucket has ``n`` segments (or is full, for a message
longer than the bucket), then takes them; a long message leaves the bucket in debt, so the
next one waits until it is paid off: a 3-segment SMS on 1 segment/s holds the sender for
3 s, as Twilio queues it.

Callers are served one at a time and the tokens are taken at the *actual* time the
caller wakes, so a thread that oversleeps never lets the next ones bunch up behind it:
with the default ``burst=1``, the segments taken in any half-open window of T seconds
never exceed ``rate * T`` (rounded up), whatever the number of threads. A larger burst
lets that many segments go at once after an idle period, which helps reach very high
rates where sleeping for each message costs more than the message.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """A thread-safe segments-per-second limiter; ``acquire`` blocks until allowed."""

    def __init__(
        self,
        rate: float,
        *,
        burst: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not rate > 0:
            raise ValueError("rate must be positive (segments per second)")
        if burst < 1:
            raise ValueError("burst must be at least 1 segment")
        self.rate = float(rate)
        self.burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = self.burst
        self._stamp = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def acquire(self, segments: int = 1) -> float:
        """Block until ``segments`` may be sent, take them; return the seconds waited."""
        segments = max(1, segments)
        need = min(float(segments), self.burst)
        waited = 0.0
        # Held while sleeping on purpose: waiters queue here and each one is timed from
        # the moment the previous one actually went.
        with self._lock:
            self._refill()
            while self._tokens < need:
                wait = (need - self._tokens) / self.rate
                self._sleep(wait)
                waited += wait
                self._refill()
            self._tokens -= segments
        return waited

    def __repr__(self) -> str:
        return f"TokenBucket(rate={self.rate:g}/s, burst={self.burst:g})"
