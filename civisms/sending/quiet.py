"""Quiet hours: no mass SMS between two local times (``21:00-08:00`` wraps midnight).

Checked before each claim: a run that reaches the start of quiet hours finishes the
messages in flight, leaves the child Running and stops; the next run after the end of
quiet hours goes on where it stopped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from civisms.errors import ConfigError

_SPEC = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class QuietHours:
    """A daily window, in ``tz`` (the host's local time when None)."""

    start: time
    end: time
    tz: str | None = None

    @classmethod
    def parse(cls, spec: str, tz: str | None = None) -> QuietHours:
        """``"21:00-08:00"`` → QuietHours; ``ConfigError`` when unreadable."""
        match = _SPEC.match(spec or "")
        if not match:
            raise ConfigError("--quiet-hours", repr(spec), "HH:MM-HH:MM, e.g. 21:00-08:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h1, m1) == (h2, m2):
            raise ConfigError("--quiet-hours", repr(spec), "two different times of day")
        if tz:
            try:
                ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError):
                raise ConfigError("--timezone", repr(tz), "an IANA zone such as Europe/Paris")\
                    from None
        return cls(time(h1, m1), time(h2, m2), tz or None)

    def _local(self, now: datetime) -> datetime:
        if self.tz is None:
            return now.replace(tzinfo=None)
        aware = now if now.tzinfo else now.astimezone()
        return aware.astimezone(ZoneInfo(self.tz)).replace(tzinfo=None)

    def active(self, now: datetime) -> bool:
        """True inside the window."""
        t = self._local(now).time()
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def until(self, now: datetime) -> datetime:
        """When the current (or next) window ends, in the window's local time."""
        local = self._local(now)
        end = datetime.combine(local.date(), self.end)
        return end if end > local else end + timedelta(days=1)

    def reason(self, now: datetime) -> str | None:
        """Why not to send now, or None."""
        if not self.active(now):
            return None
        return f"quiet hours until {self.until(now):%H:%M}"

    def __str__(self) -> str:
        zone = f" {self.tz}" if self.tz else ""
        return f"{self.start:%H:%M}-{self.end:%H:%M}{zone}"
