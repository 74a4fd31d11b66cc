"""Words for people: plurals, skip reasons with labelled counts, capped lists, durations."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Sequence

#: Each skip reason code in words (the code itself stays in --json and in brackets).
REASON_WORDS = {
    "not_found": "no such contact",
    "deleted": "in CiviCRM's trash",
    "deceased": "deceased",
    "do_not_sms": "marked Do not SMS",
    "opt_out": "No bulk emails (opt out)",
    "no_mobile": "no mobile phone",
    "invalid_number": "invalid mobile number",
    "duplicate_number": "number shared with another recipient",
    "excluded": "excluded group or mailing",
}

#: How many items a list shows before "... and N more".
LIST_CAP = 20


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 recipient``, ``2 recipients``, with thousands separators."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def reason_words(code: str) -> str:
    """A skip reason in words, its code in brackets: ``no mobile phone (no_mobile)``."""
    words = REASON_WORDS.get(code)
    return f"{words} ({code})" if words else code


def skip_lines(counts: dict[str, int], indent: str = "  ") -> list[str]:
    """One line per reason: ``skipped 2 contacts: no mobile phone (no_mobile)``."""
    return [f"{indent}skipped {plural(n, 'contact')}: {reason_words(reason)}"
            for reason, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def skip_summary(counts: dict[str, int]) -> str:
    """``skipped 3 contacts (2 no_mobile, 1 deceased)``, or ``skipped nobody``."""
    total = sum(counts.values())
    if not total:
        return "skipped nobody"
    parts = ", ".join(f"{n} {reason}" for reason, n in
                      sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return f"skipped {plural(total, 'contact')} ({parts})"


def capped(lines: Sequence[str], limit: int = LIST_CAP, total: int | None = None) -> list[str]:
    """The first ``limit`` lines, then ``... and N more`` when there are more. ``total`` is
    the full count when ``lines`` holds only the first ones (a long list never formatted)."""
    total = len(lines) if total is None else total
    if total <= limit:
        return list(lines)
    return [*lines[:limit], f"... and {total - limit:,} more"]


def id_list(ids: Iterable[int]) -> str:
    """``7, 9`` or ``none``."""
    shown = ", ".join(str(i) for i in ids)
    return shown or "none"


def duration(seconds: float) -> str:
    """``45 s``, ``12 min``, ``2 h 05 min``, ``3 days 4 h``."""
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 120:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} days {hours} h"


def command_path() -> str:
    """How the user ran civisms, for hints they can copy: ``civisms`` when it is the one on
    PATH, else the path they typed (``.venv/bin/civisms``) or ``python -m civisms``."""
    argv0 = sys.argv[0] if sys.argv else "civisms"
    if argv0.endswith("__main__.py") or argv0 in ("", "-m", "-c"):
        return "python -m civisms"
    on_path = shutil.which("civisms")
    if on_path and os.path.realpath(on_path) == os.path.realpath(argv0):
        return "civisms"
    if os.path.basename(argv0) != "civisms":
        return "civisms"  # run from a test harness or a wrapper: the plain name reads best
    try:
        relative = os.path.relpath(argv0)
    except ValueError:  # another drive (Windows)
        return argv0
    return relative if not relative.startswith("..") else argv0
