"""SMS segmentation: encodings, counts and parts as Twilio's segment calculator gives them.

The expected numbers in ``TWILIO_CASES`` are the published test data of Twilio's
message-segment-calculator (encoding, segments, message bits without / with UDHs).
"""

from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from civisms.errors import TextError
from civisms.text import enforce, is_gsm, judge, segment, smart_encode
from civisms.text.segments import GSM_ALL, GSM_EXTENSION, count

DIGITS = "1234567890" * 40
EXTENSION = "^{}\\[~]|€"
ZWJ_RAINBOW = "\U0001f3f3\ufe0f\u200d\U0001f308"  # 🏳️‍🌈 = 6 UTF-16 units
FLAG_IT = "\U0001f1ee\U0001f1f9"  # 🇮🇹 = 4 units


# (description, text, encoding, segments, message bits, total bits incl. UDH)
TWILIO_CASES = [
    ("GSM-7, one segment", DIGITS[:160], "GSM-7", 1, 1120, 1120),
    ("GSM-7, two segments", DIGITS[:161], "GSM-7", 2, 1127, 1223),
    ("GSM-7, three segments", DIGITS[:307], "GSM-7", 3, 2149, 2293),
    ("UCS-2, one segment", "😜" + DIGITS[2:70], "UCS-2", 1, 1120, 1120),
    ("UCS-2, two segments", "😜" + DIGITS[2:71], "UCS-2", 2, 1136, 1232),
    ("UCS-2, three segments", "😜" + DIGITS[1:134], "UCS-2", 3, 2160, 2304),
    ("flag at the one-segment boundary", FLAG_IT + DIGITS[2:68], "UCS-2", 1, 1120, 1120),
    ("flag over the boundary", FLAG_IT + DIGITS[2:69], "UCS-2", 2, 1136, 1232),
    ("extension char, one segment", "{" + DIGITS[1:159], "GSM-7", 1, 1120, 1120),
    ("extension char, two segments", "{" + DIGITS[1:160], "GSM-7", 2, 1127, 1223),
]


@pytest.mark.parametrize(("text", "encoding", "segments", "message_bits", "total_bits"),
                         [c[1:] for c in TWILIO_CASES], ids=[c[0] for c in TWILIO_CASES])
def test_matches_twilio_calculator(
    text: str, encoding: str, segments: int, message_bits: int, total_bits: int
) -> None:
    seg = segment(text)
    assert seg.encoding == encoding
    assert seg.segments == segments
    unit = 7 if encoding == "GSM-7" else 16
    assert seg.characters * unit == message_bits
    assert seg.bits == total_bits


@pytest.mark.parametrize("char", list(EXTENSION))
def test_every_extension_character_costs_two_septets(char: str) -> None:
    assert segment(char + DIGITS[:158]).segments == 1
    two = segment(char + DIGITS[:159])
    assert (two.encoding, two.segments, two.characters, two.bits) == ("GSM-7", 2, 161, 1223)


def test_form_feed_is_an_extension_character() -> None:
    assert segment("\f").characters == 2


@pytest.mark.parametrize("char", ["Á", "Ú", "ú", "ç", "í", "Í", "ó", "Ó", "ã", "ê", "`", "’", "–"])
def test_accented_letters_outside_gsm_force_ucs2(char: str) -> None:
    assert not is_gsm(char)
    assert segment(char * 70).segments == 1
    over = segment(char * 71)
    assert (over.encoding, over.segments) == ("UCS-2", 2)
    assert over.non_gsm[0].char == char


@pytest.mark.parametrize("char", list("éèùìòÇÄÖÑÜßà£¥¿Δ"))
def test_accented_letters_inside_gsm_stay_gsm(char: str) -> None:
    seg = segment(char * 160)
    assert (seg.encoding, seg.segments, seg.characters) == ("GSM-7", 1, 160)


def test_boundaries_160_161_and_70_71() -> None:
    assert segment("a" * 160).segments == 1
    assert segment("a" * 161).segments == 2
    assert segment("a" * 306).segments == 2
    assert segment("a" * 307).segments == 3
    assert segment("á" * 70).segments == 1
    assert segment("á" * 71).segments == 2
    assert segment("á" * 134).segments == 2
    assert segment("á" * 135).segments == 3


def test_once_ucs2_extension_characters_cost_one_unit() -> None:
    # Twilio calculator issue #18: GSM extension characters are plain UCS-2 units.
    assert segment("😀" + "]" * 68).segments == 1
    assert segment("😀" + "]" * 69).segments == 2


def test_emoji_count_as_surrogate_pairs() -> None:
    seg = segment("😀")
    assert (seg.encoding, seg.characters) == ("UCS-2", 2)


def test_zwj_sequence_counts_every_unit_and_stays_whole() -> None:
    assert segment(ZWJ_RAINBOW).characters == 6
    assert segment(ZWJ_RAINBOW + "a" * 64).segments == 1
    two = segment("a" * 63 + ZWJ_RAINBOW + "a" * 10)
    assert two.segments == 2
    assert two.parts[0] == "a" * 63  # 63 + 6 > 67: the whole sequence moves on
    assert two.parts[1].startswith(ZWJ_RAINBOW)


def test_combining_marks_count_as_units_and_stay_with_their_letter() -> None:
    triple = "e\u0301\u0301\u0301"  # Twilio's "triple accent" case
    assert segment(triple + "a" * 66).segments == 1
    assert segment(triple + "a" * 67).segments == 2
    seg = segment("á" * 66 + "e\u0301" + "b" * 10)
    assert seg.parts[0] == "á" * 66
    assert seg.parts[1].startswith("e\u0301")
    assert seg.non_gsm[-1].char == "e\u0301"


def test_flag_never_split_across_parts() -> None:
    seg = segment("á" * 65 + FLAG_IT + "x" * 10)
    assert seg.parts[0] == "á" * 65
    assert seg.parts[1].startswith(FLAG_IT)
    assert seg.part_sizes[0] == 65


def test_escape_pair_never_straddles_a_part() -> None:
    seg = segment("a" * 152 + "{" + "b" * 10)
    assert seg.parts == ("a" * 152, "{" + "b" * 10)
    assert seg.part_sizes == (152, 12)


def test_surrogate_pair_never_straddles_a_part() -> None:
    seg = segment("á" * 66 + "😀" + "x" * 5)
    assert seg.parts[0] == "á" * 66
    assert seg.part_sizes == (66, 7)


def test_crlf_counts_two_characters() -> None:
    assert segment("\rabcde\r\n123").characters == 11
    assert segment("\nabcde\n\n123\n").characters == 12
    assert segment("a\r\n" * 53 + "a").characters == 160


def test_sixteen_bit_reference_carries_152_and_66() -> None:
    gsm = segment("a" * 161, reference_bits=16)
    assert gsm.part_sizes == (152, 9)
    assert max(gsm.part_bits) == 1120
    ucs = segment("á" * 71, reference_bits=16)
    assert ucs.part_sizes == (66, 5)


def test_non_gsm_characters_are_reported_with_positions() -> None:
    seg = segment("Ça va? – très “bien” 😀")
    assert [(c.char, c.position) for c in seg.non_gsm] == [
        ("–", 7), ("“", 14), ("”", 19), ("😀", 21)
    ]


def test_smart_encoding_brings_typographic_text_back_to_gsm() -> None:
    text = "It’s “great” – really…\u00a0ok"
    assert segment(text).encoding == "UCS-2"
    seg = segment(text, smart_encoding=True)
    assert seg.encoding == "GSM-7"
    assert seg.text == "It's \"great\" - really... ok"
    assert smart_encode("Ça, ç, ã") == "Ça, ç, ã"  # letters are never changed


def test_policy_default_one_segment_refuses_with_count_limit_and_culprits() -> None:
    seg = segment(
        "Hi Hélène Dupré-Lefèvre, the Spring drive starts Saturday! Ça va? – Default Domain Name"
    )
    verdict = judge(seg, 1)
    assert not verdict.within_policy
    with pytest.raises(TextError) as err:
        enforce(seg, 1)
    message = str(err.value)
    assert "2 SMS segments" in message and "limit is 1 segment" in message
    assert "'–' at 66" in message
    assert enforce(seg, 2) is seg


def test_policy_names_extension_characters_in_gsm() -> None:
    verdict = judge(segment("{" * 81), 1)
    assert not verdict.within_policy
    assert "'{' count 2 each" in (verdict.reason or "")


def test_tables_agree_with_gsm0338_codec() -> None:
    gsm0338 = pytest.importorskip("gsm0338")
    assert gsm0338  # the codec registers itself on import
    for cp in range(0x3000):
        ch = chr(cp)
        if 0xD800 <= cp <= 0xDFFF or ch == "\x1b":
            continue
        try:
            encoded = ch.encode("gsm03.38")
        except UnicodeEncodeError:
            assert ch not in GSM_ALL, repr(ch)
            continue
        assert ch in GSM_ALL, repr(ch)
        assert len(encoded) == (2 if ch in GSM_EXTENSION else 1)


# -- properties -----------------------------------------------------------------------------

PIECES = [
    "a", "Z", " ", "é", "Ç", "\n", "\r\n", "{", "€", "\f", "á", "ç", "–", "’", "😀",
    FLAG_IT, ZWJ_RAINBOW, "e\u0301", "\u4e2d", "\U0001f44d\U0001f3fd",
]
texts = st.one_of(
    st.text(max_size=700),
    st.lists(st.sampled_from(PIECES), max_size=400).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from([8, 16]))
def test_parts_rejoin_and_never_exceed_140_octets(text: str, ref: int) -> None:
    seg = segment(text, reference_bits=ref)
    assert "".join(seg.parts) == text
    assert seg.segments == len(seg.parts)
    assert all(bits <= 1120 for bits in seg.part_bits)
    assert sum(seg.part_sizes) == seg.characters


@settings(max_examples=300, deadline=None)
@given(texts)
def test_parts_split_only_between_grapheme_clusters(text: str) -> None:
    seg = segment(text)
    boundaries = {0}
    for match in regex.finditer(r"\X", text):
        boundaries.add(match.end())
        if match.group() == "\r\n":
            boundaries.add(match.start() + 1)  # CRLF is two characters, as for Twilio
    offset = 0
    for part in seg.parts:
        offset += len(part)
        assert offset in boundaries


STRADDLE = "ç" + "a" * 65 + "🎉" + "b" * 66  # the emoji's pair sits on units 67 and 68


def test_kannel_cuts_a_surrogate_pair_where_twilio_moves_it_whole() -> None:
    twilio = segment(STRADDLE)
    kannel = segment(STRADDLE, cut="unit")
    assert (twilio.segments, twilio.part_sizes) == (3, (66, 67, 1))
    assert (kannel.segments, kannel.part_sizes) == (2, (67, 67))
    assert kannel.characters == twilio.characters == 134
    assert "".join(kannel.parts) == STRADDLE and kannel.parts[0].endswith("🎉")
    assert max(kannel.part_bits) == 1120  # 134 octets + the 6-octet header: one SMS each


@pytest.mark.parametrize("text", ["🎉" * 40, "ç" * 201, "👍🏽" * 30 + "x", "Ω" * 70])
def test_unit_cut_is_a_fixed_slice_of_67_units(text: str) -> None:
    seg = segment(text, cut="unit")
    units = len(text.encode("utf-16-le")) // 2
    assert seg.segments == (1 if units <= 70 else -(-units // 67))
    assert sum(seg.part_sizes) == units and "".join(seg.parts) == text
    assert seg.segments <= segment(text).segments  # the default never predicts fewer


def test_policy_message_explains_a_part_lost_to_an_uncut_emoji() -> None:
    reason = judge(segment(STRADDLE), 2).reason or ""
    assert "needs 3 SMS segments (UCS-2, 134 characters)" in reason
    assert "at most 134 UCS-2 characters" in reason
    assert "'🎉' at 66 cannot be split between parts" in reason
    assert "shorten the text by 1 character or more" in reason
    assert judge(segment(STRADDLE, cut="unit"), 2).within_policy
    assert judge(segment(STRADDLE[:-1]), 2).within_policy  # the advice is right


def test_policy_shortening_advice_makes_the_text_fit() -> None:
    for text, limit in [("a" * 152 + "{" + "b" * 153, 2), ("x" * 200, 1), ("ç" * 150, 2)]:
        reason = judge(segment(text), limit).reason or ""
        count = int(reason.split("shorten the text by ")[1].split(" ")[0])
        assert judge(segment(text[:-count]), limit).within_policy
        assert not judge(segment(text[: -count + 1]), limit).within_policy


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from([*sorted(GSM_ALL), "é", "😀", "ç", "€", "^"]),
               max_size=170))
def test_the_quick_count_agrees_with_the_full_segmentation(text: str) -> None:
    assert count(text) == segment(text).segments
