"""Progress of a long send: a bar with total, rate and ETA on a terminal; elsewhere a
``key=value`` log line every few seconds (as ``civisms jobs run`` logs)."""

from __future__ import annotations

import sys
import time
from datetime import datetime
from typing import Any, TextIO

#: Seconds between redraws on a terminal, and between log lines elsewhere.
DRAW_EVERY = 0.2
LOG_EVERY = 5.0
WIDTH = 24


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class Progress:
    """Call ``update(tally)`` as outcomes are written; ``close()`` at the end."""

    def __init__(self, total: int, label: str, *, stream: TextIO | None = None,
                 terminal: bool | None = None) -> None:
        self.total = max(0, total)
        self.label = label
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.started = time.monotonic()
        self.last = self.started  # the first line after a full interval
        self.done = 0
        self.counts: dict[str, int] = {}
        self.logged = False

    def update(self, tally: Any) -> None:
        """Record the counts so far (an ``engine.Tally``) and redraw when due."""
        self.counts = {"sent": tally.sent, "failed": tally.failed, "unknown": tally.unknown}
        self.done = tally.sent + tally.failed + tally.unknown
        now = time.monotonic()
        if now - self.last >= (DRAW_EVERY if self.terminal else LOG_EVERY):
            self.last = now
            self._show(now)

    def line(self, now: float | None = None) -> str:
        """The current state in words: done/total, rate, ETA, counts."""
        elapsed = max(1e-6, (now or time.monotonic()) - self.started)
        rate = self.done / elapsed
        left = self.total - self.done
        eta = _duration(left / rate) if rate > 0 and left > 0 else "-"
        counts = ", ".join(f"{k} {v}" for k, v in self.counts.items() if v)
        return (f"{self.done}/{self.total} {rate:.1f} msg/s ETA {eta}"
                + (f" ({counts})" if counts else ""))

    def _show(self, now: float) -> None:
        if not self.terminal:
            elapsed = max(1e-6, now - self.started)
            counts = " ".join(f"{k}={v}" for k, v in self.counts.items())
            stamp = datetime.now().isoformat(sep=" ", timespec="seconds")
            self.stream.write(f"{stamp} level=INFO logger=civisms.send event=progress "
                              f"{self.label.replace(' ', '=')} done={self.done} "
                              f"total={self.total} rate={self.done / elapsed:.1f} {counts}\n")
            self.stream.flush()
            self.logged = True
            return
        filled = int(WIDTH * self.done / self.total) if self.total else WIDTH
        bar = "#" * filled + "." * (WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.line(now)}\033[K")
        self.stream.flush()

    def close(self) -> None:
        """Leave the last state on screen (or a last log line, when any was written)."""
        if not self.terminal and not self.logged:
            return  # a short send: its summary says it all
        self._show(time.monotonic())
        if self.terminal:
            self.stream.write("\n")
            self.stream.flush()
