"""The length policy: how many SMS segments one rendered message may cost.

Default 1 segment (160 GSM-7 characters, or 70 in UCS-2); ``CIVISMS_MAX_SEGMENTS`` (1-10)
raises it. A message over the policy is refused before anything is sent, naming the
count, the limit and the characters responsible. Nothing is ever truncated.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from civisms.errors import TextError
from civisms.text.segments import (
    GSM7,
    GSM_EXTENSION,
    PART_GSM,
    PART_UCS2,
    SINGLE_GSM,
    SINGLE_UCS2,
    NonGsmChar,
    Segmentation,
    segment,
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
        f"(at most {limit} {seg.encoding} characters, CIVISMS_MAX_SEGMENTS)"
    )
    moved = _moved(seg)
    if moved is not None:
        # Within the character count, yet over: a character the gateway never cuts did not
        # fit at the end of a part and took room in the next one.
        head += (f"; {moved.char!r} at {moved.position} cannot be split between parts and "
                 "moves whole to the next one")
    excess = _excess(seg, max_segments)
    shorten = f"shorten the text by {excess} character{'s' if excess > 1 else ''} or more"
    if seg.encoding != GSM7:
        shown = ", ".join(f"{c.char!r} at {c.position}" for c in seg.non_gsm[:8])
        more = f" and {len(seg.non_gsm) - 8} more" if len(seg.non_gsm) > 8 else ""
        return (
            f"{head}; UCS-2 is forced by {shown}{more}: replace them (try --smart-encoding) "
            f"or {shorten}"
        )
    extension = sorted({ch for ch in seg.text if ch in GSM_EXTENSION})
    doubled = f"; {''.join(extension)!r} count 2 each" if extension else ""
    return f"{head}{doubled}; {shorten}"


def _moved(seg: Segmentation) -> NonGsmChar | None:
    """The first character that opened a part because it did not fit whole in the previous
    one, when the text is within the character count of its parts."""
    if seg.characters > seg.part_limit * (seg.segments - 1):
        return None
    position = 0
    for i, size in enumerate(seg.part_sizes[:-1]):
        position += len(seg.parts[i])
        if size < seg.part_limit:
            return NonGsmChar(_first_cluster(seg.parts[i + 1]), position)
    return None


def _first_cluster(text: str) -> str:
    match = regex.match(r"\X", text)
    return match.group() if match else text[:1]


def _excess(seg: Segmentation, max_segments: int) -> int:
    """How many characters off the end make the text fit (binary search: a shorter prefix
    never needs more parts)."""
    text = seg.text
    low, high = 0, len(text)  # text[:low] fits; text[:high] does not
    while high - low > 1:
        middle = (low + high) // 2
        cut = segment(text[:middle], reference_bits=seg.reference_bits, cut=seg.cut)
        if cut.segments <= max_segments:
            low = middle
        else:
            high = middle
    return len(text) - low
