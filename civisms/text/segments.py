"""How an SMS is cut into segments: GSM 03.38 / UCS-2, exactly as the gateways bill it.

The tables are our own, transcribed from 3GPP TS 23.038 as summarised in PROVIDERS.md §3
(basic table + extension table, no national shift tables). We do not depend on the
``gsm0338`` codec at run time: it is not a declared dependency, and counting needs only set
membership, which a frozenset and one compiled regular expression do faster than a codec.
The test suite cross-checks these tables against ``gsm0338`` when it is installed.

Rules (PROVIDERS.md §3.1, Twilio's segment calculator):

* GSM-7: basic characters cost 1 septet, extension characters (``^{}\\[~]|€`` and form
  feed) cost 2 (ESC + char). One SMS carries 160 septets; a concatenated part 153 (152 with
  the 16-bit reference). An ESC pair is never split across parts.
* UCS-2: any character outside both tables switches the *whole* message to UCS-2, counted in
  UTF-16 code units (astral characters are surrogate pairs = 2 units; GSM characters,
  extension ones included, cost 1 unit). One SMS carries 70 units; a part 67 (66).
* Grapheme clusters (flags, ZWJ emoji, letters with combining marks) are never split
  across parts; a cluster that does not fit moves whole to the next part. CRLF is two
  characters and, as in Twilio's calculator, not a cluster. A cluster longer than a whole
  part (pathological input) is split between code points, never inside a surrogate pair,
  so that no part ever exceeds 140 octets.

Gateways that cut for themselves differ on that last rule (docs/providers.md): Kannel and
Jasmin cut a UCS-2 text every 67 units (134 octets) whatever falls there, an emoji's
surrogate pair included. ``segment(text, cut="unit")`` counts as they do; the default
``cut="grapheme"`` is Twilio's documented rule and never predicts fewer parts than either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

import regex

from civisms.text.smart import smart_encode

Encoding = Literal["GSM-7", "UCS-2"]
#: How a gateway cuts a long UCS-2 text: whole grapheme clusters, or every N code units.
Cut = Literal["grapheme", "unit"]

GSM7: Encoding = "GSM-7"
UCS2: Encoding = "UCS-2"

#: GSM 03.38 basic table, in code-point order of the table (0x00..0x7F), ESC (0x1B) left out.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: GSM 03.38 extension table: each costs ESC + char = 2 septets.
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM_ALL = GSM_BASIC | GSM_EXTENSION

UDH_BITS = 48  # 6-octet UDH, 8-bit concatenation reference
UDH16_BITS = 56  # 7-octet UDH, 16-bit reference
MAX_BITS = 1120  # 140 octets of user data

SINGLE_GSM = 160
SINGLE_UCS2 = 70
PART_GSM = {8: 153, 16: 152}
PART_UCS2 = {8: 67, 16: 66}

_NON_GSM = re.compile("[^" + re.escape("".join(sorted(GSM_ALL))) + "]")
_EXTENSION = re.compile("[" + re.escape("".join(sorted(GSM_EXTENSION))) + "]")
_GRAPHEME = regex.compile(r"\X")
# Characters that can join a grapheme cluster with a neighbour, and astral characters (2
# units). A text without any is one cluster per code point, one unit each: the fast path.
_COMPLEX = regex.compile(
    r"[\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}\p{GCB=Prepend}"
    r"\p{GCB=L}\p{GCB=V}\p{GCB=T}\U00010000-\U0010FFFF]"
)


@dataclass(frozen=True, slots=True)
class NonGsmChar:
    """A character (grapheme cluster) that forces UCS-2, at its 0-based offset in the text."""

    char: str
    position: int

    def as_dict(self) -> dict[str, object]:
        """JSON form, with the code points spelt out (invisible characters exist)."""
        return {
            "char": self.char,
            "position": self.position,
            "codepoints": [f"U+{ord(c):04X}" for c in self.char],
        }


@dataclass(frozen=True, slots=True)
class Segmentation:
    """What a gateway will do with one text.

    ``characters`` counts as the gateway does: septets in GSM-7 (extension characters 2),
    UTF-16 code units in UCS-2. ``bits`` is the total user data sent, UDHs included.
    ``parts`` re-join into ``text``; ``part_sizes`` are their sizes in the same unit.
    """

    text: str
    encoding: Encoding
    characters: int
    segments: int
    parts: tuple[str, ...]
    part_sizes: tuple[int, ...]
    bits: int
    non_gsm: tuple[NonGsmChar, ...]
    reference_bits: int = 8
    cut: Cut = "grapheme"

    @property
    def single_limit(self) -> int:
        """Characters one unsplit SMS carries in this encoding (160 or 70)."""
        return SINGLE_GSM if self.encoding == GSM7 else SINGLE_UCS2

    @property
    def part_limit(self) -> int:
        """Characters one part of a concatenated SMS carries (153/152 or 67/66)."""
        table = PART_GSM if self.encoding == GSM7 else PART_UCS2
        return table[self.reference_bits]

    @property
    def part_bits(self) -> tuple[int, ...]:
        """Size of each part on the air, UDH included (never above 1,120)."""
        unit = 7 if self.encoding == GSM7 else 16
        udh = 0 if self.segments == 1 else (UDH_BITS if self.reference_bits == 8 else UDH16_BITS)
        return tuple(size * unit + udh for size in self.part_sizes)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready report."""
        return {
            "text": self.text,
            "encoding": self.encoding,
            "segments": self.segments,
            "characters": self.characters,
            "bits": self.bits,
            "parts": list(self.parts),
            "non_gsm": [c.as_dict() for c in self.non_gsm],
        }


def is_gsm(text: str) -> bool:
    """True when every character is in the GSM 03.38 basic or extension table."""
    return _NON_GSM.search(text) is None


def segment(
    text: str, *, smart_encoding: bool = False, reference_bits: int = 8, cut: Cut = "grapheme"
) -> Segmentation:
    """Encode, count and split ``text`` as the gateway will.

    ``smart_encoding`` first replaces look-alikes (curly quotes, dashes ...) by GSM
    characters (see ``civisms.text.smart``); the report then describes the replaced text.
    ``reference_bits`` is 8 (usual) or 16 (152/66 per part, e.g. US toll-free). ``cut`` is
    the gateway's way of cutting UCS-2 (``Provider.segment_cut``): ``"unit"`` cuts every 67
    code units, and a character cut in two is shown in the part where it starts.
    """
    if reference_bits not in (8, 16):
        raise ValueError("reference_bits must be 8 or 16")
    if cut not in ("grapheme", "unit"):
        raise ValueError("cut must be 'grapheme' or 'unit'")
    if smart_encoding:
        text = smart_encode(text)
    if _NON_GSM.search(text) is None:
        seg = _segment_gsm(text, reference_bits)
    else:
        seg = _segment_ucs2(text, reference_bits, cut)
    return seg if cut == "grapheme" else replace(seg, cut=cut)


def count(text: str) -> int:
    """``segment(text).segments``, without building the report for the usual message: one
    GSM-7 segment (the mass-sending path counts every personalised text)."""
    if text and len(text) <= SINGLE_GSM and _NON_GSM.search(text) is None and \
            len(text) + len(_EXTENSION.findall(text)) <= SINGLE_GSM:
        return 1
    return segment(text).segments


def _udh(segments: int, reference_bits: int) -> int:
    if segments == 1:
        return 0
    return segments * (UDH_BITS if reference_bits == 8 else UDH16_BITS)


def _segment_gsm(text: str, reference_bits: int) -> Segmentation:
    extended = len(_EXTENSION.findall(text)) if _EXTENSION.search(text) else 0
    septets = len(text) + extended
    if septets <= SINGLE_GSM:
        return Segmentation(
            text, GSM7, septets, 1, (text,), (septets,), septets * 7, (), reference_bits
        )
    size = PART_GSM[reference_bits]
    if not extended:
        # Every character is one septet: fixed-size slices are exact.
        parts = tuple(text[i : i + size] for i in range(0, len(text), size))
        sizes = tuple(len(p) for p in parts)
    else:
        parts, sizes = _pack_gsm(text, size)
    bits = septets * 7 + _udh(len(parts), reference_bits)
    return Segmentation(text, GSM7, septets, len(parts), parts, sizes, bits, (), reference_bits)


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _segment_ucs2(text: str, reference_bits: int, cut: Cut = "grapheme") -> Segmentation:
    units = _utf16_units(text)
    size = PART_UCS2[reference_bits]
    if cut == "unit" and units > SINGLE_UCS2 and _COMPLEX.search(text) is not None:
        non_gsm = _non_gsm_chars(_clusters(text))
        parts, sizes = _pack_units(text, size)
        bits = units * 16 + _udh(len(parts), reference_bits)
        return Segmentation(
            text, UCS2, units, len(parts), parts, sizes, bits, non_gsm, reference_bits
        )
    if _COMPLEX.search(text) is None:
        non_gsm = tuple(NonGsmChar(m.group(), m.start()) for m in _NON_GSM.finditer(text))
        if units <= SINGLE_UCS2:
            return Segmentation(
                text, UCS2, units, 1, (text,), (units,), units * 16, non_gsm, reference_bits
            )
        parts = tuple(text[i : i + size] for i in range(0, len(text), size))
        sizes = tuple(len(p) for p in parts)
    else:
        clusters = _clusters(text)
        non_gsm = _non_gsm_chars(clusters)
        if units <= SINGLE_UCS2:
            return Segmentation(
                text, UCS2, units, 1, (text,), (units,), units * 16, non_gsm, reference_bits
            )
        parts, sizes = _pack_clusters(clusters, size)
    bits = units * 16 + _udh(len(parts), reference_bits)
    return Segmentation(text, UCS2, units, len(parts), parts, sizes, bits, non_gsm, reference_bits)


def _clusters(text: str) -> list[str]:
    """Grapheme clusters, with CRLF as two characters (Twilio's calculator does the same)."""
    out: list[str] = []
    for cluster in _GRAPHEME.findall(text):
        if cluster == "\r\n":
            out.extend(("\r", "\n"))
        else:
            out.append(cluster)
    return out


def _non_gsm_chars(clusters: list[str]) -> tuple[NonGsmChar, ...]:
    found: list[NonGsmChar] = []
    position = 0
    for cluster in clusters:
        if _NON_GSM.search(cluster) is not None:
            found.append(NonGsmChar(cluster, position))
        position += len(cluster)
    return tuple(found)


def _pack_gsm(text: str, size: int) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Greedy packing into parts of ``size`` septets, never splitting an ESC pair."""
    parts: list[str] = []
    sizes: list[int] = []
    start = used = 0
    for i, ch in enumerate(text):
        cost = 2 if ch in GSM_EXTENSION else 1
        if used + cost > size:
            parts.append(text[start:i])
            sizes.append(used)
            start, used = i, 0
        used += cost
    parts.append(text[start:])
    sizes.append(used)
    return tuple(parts), tuple(sizes)


def _pack_clusters(clusters: list[str], size: int) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Greedy packing of grapheme clusters into parts of ``size`` UTF-16 units."""
    parts: list[str] = []
    sizes: list[int] = []
    current: list[str] = []
    used = 0
    for cluster in clusters:
        units = (1 if cluster < "\U00010000" else 2) if len(cluster) == 1 else _utf16_units(cluster)
        if units > size:
            # A cluster bigger than a whole part cannot stay whole: split it by code point.
            for piece in cluster:
                units_piece = 2 if ord(piece) > 0xFFFF else 1
                if used + units_piece > size:
                    parts.append("".join(current))
                    sizes.append(used)
                    current, used = [], 0
                current.append(piece)
                used += units_piece
            continue
        if used + units > size:
            parts.append("".join(current))
            sizes.append(used)
            current, used = [], 0
        current.append(cluster)
        used += units
    parts.append("".join(current))
    sizes.append(used)
    return tuple(parts), tuple(sizes)


def _pack_units(text: str, size: int) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Parts of exactly ``size`` UTF-16 units, as Kannel and Jasmin cut (the last shorter).

    A surrogate pair cut in two stays whole in the part where it starts; the sizes are the
    gateway's (``size`` each), so the next part starts with the pair's second unit counted.
    """
    total = _utf16_units(text)
    count = -(-total // size)
    parts: list[str] = []
    start = used = 0
    boundary = size
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used >= boundary and len(parts) < count - 1:
            parts.append(text[start : i + 1])
            start = i + 1
            boundary += size
    parts.append(text[start:])
    sizes = (*(size for _ in range(count - 1)), total - size * (count - 1))
    return tuple(parts), sizes
