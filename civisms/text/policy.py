"""The length policy: how many SMS segments one rendered message may cost.

Default 1 segment (160 GSM-7 characters, or 70 in UCS-2); ``CIVISMS_MAX_SEGMENTS`` (1-10)
raises it. A message over the policy is refused before anything is sent, naming the
count, the limit and the characters responsible. Nothing is ever truncated.
"""

from __future__ import annotations

from dataclasses import dataclass

from civisms.errors import TextError
from civisms.text.segments import (
    GSM7,
    GSM_EXTENSION,
    PART_GSM,
    PART_UCS2,
    SINGLE_GSM,
    SINGLE_UCS2,
    Segmentation,
)

MIN_SEGMENTS = 1
MAX_SEGMENTS = 10


@dataclass(frozen=True, slots=True)
class Verdict:
    """A segmentation judged against the policy; ``reason`` is one line when refused."""

    within_policy: bool
    segments: int
    max_segments: int
    limit_characters: int
    reason: str | None = None


def limit_characters(encoding: str, max_segments: int, reference_bits: int = 8) -> int:
    """The most characters ``max_segments`` segments can carry in ``encoding``.

    An upper bound for several parts: ESC pairs and grapheme clusters that do not fit at
    the end of a part move whole to the next one, so a text may need a part earlier.
    """
    if max_segments == 1:
        return SINGLE_GSM if encoding == GSM7 else SINGLE_UCS2
    per_part = (PART_GSM if encoding == GSM7 else PART_UCS2)[reference_bits]
    return per_part * max_segments


def judge(seg: Segmentation, max_segments: int) -> Verdict:
    """Compare ``seg`` with the policy; never raises."""
    if not MIN_SEGMENTS <= max_segments <= MAX_SEGMENTS:
        raise ValueError(f"max_segments must be {MIN_SEGMENTS}..{MAX_SEGMENTS}, not {max_segments}")
    limit = limit_characters(seg.encoding, max_segments, seg.reference_bits)
    if seg.segments <= max_segments:
        return Verdict(True, seg.segments, max_segments, limit)
    return Verdict(False, seg.segments, max_segments, limit, _reason(seg, max_segments, limit))


def enforce(seg: Segmentation, max_segments: int) -> Segmentation:
    """Return ``seg`` when within the policy; raise ``TextError`` naming the cause if not."""
    verdict = judge(seg, max_segments)
    if not verdict.within_policy:
        raise TextError(verdict.reason)
    return seg


def _reason(seg: Segmentation, max_segments: int, limit: int) -> str:
    plural = "s" if max_segments > 1 else ""
    head = (
        f"message needs {seg.segments} SMS segments ({seg.encoding}, {seg.characters} "
        f"characters); the limit is {max_segments} segment{plural} "
        f"({limit} {seg.encoding} characters, CIVISMS_MAX_SEGMENTS)"
    )
    if seg.encoding != GSM7:
        shown = ", ".join(f"{c.char!r} at {c.position}" for c in seg.non_gsm[:8])
        more = f" and {len(seg.non_gsm) - 8} more" if len(seg.non_gsm) > 8 else ""
        return (
            f"{head}; UCS-2 is forced by {shown}{more}: replace them (try --smart-encoding) "
            "or shorten the text"
        )
    extension = sorted({ch for ch in seg.text if ch in GSM_EXTENSION})
    doubled = f"; {''.join(extension)!r} count 2 each" if extension else ""
    return f"{head}{doubled}; shorten the text by {seg.characters - limit} characters or more"
