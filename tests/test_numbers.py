"""The fast E.164 path gives phonenumbers' own answers, on every region's numbers."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from civisms.numbers import NumberNormalizer, to_e164

ODD = ["", "   ", "+", "+0 123", "12", "tel: 555", "+1 800 FLOWERS", "+1\t415 555 0101",
       "+1 415 555 0101 ext 12", "+1 415 555 0101#", "+²", "+1²", "+١٤١٥٥٥٥٠١٠١",
       "＋１ ４１５ ５５５ ０１０１", "+1 (415) 555-0101", "+1.415.555.0101", "+1/415/555/0101",
       "+44 (0)20 7946 0000", "0041 44 668 1800", "011 44 20 7946 0000", "+39 06 1234 5678",
       "+800 1234 5678", "+882 1234 5678", "1 415 555 0101", "33 6 12 34 56 78"]
DEFAULT_REGIONS = [None, "US", "GB", "FR", "DE", "IT", "CA", "IL", "TH", "RU", "BR", "JE"]


def numbers_of_every_region() -> tuple[list[str], list[str]]:
    """Real example numbers of every region, in many writings, plus random mutations
    that make many of them invalid: (international ones, national ones)."""
    rng = random.Random(11)
    international: list[str] = []
    national: list[str] = []
    kinds = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in kinds:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            international += [phonenumbers.format_number(example, f) for f in range(3)]
            national.append(phonenumbers.format_number(example, 2))
            nsn = phonenumbers.national_significant_number(example)
            code = example.country_code
            for _ in range(2):
                digits = "".join(d if rng.random() > 0.3 else str(rng.randint(0, 9))
                                 for d in nsn)[: len(nsn) + rng.choice((-1, 0, 0, 1))]
                if rng.random() < 0.3:
                    digits += str(rng.randint(0, 9))
                international += [f"+{code} {digits}", f"+{code} 0{digits}",
                                  f"+{code}-({digits[:3]}) {digits[3:]}", f"{code}{digits}"]
                national += [f"0{digits}", digits, f"{code}{digits}", f"00{code}{digits}"]
    return international, national


INTERNATIONAL, NATIONAL = numbers_of_every_region()


@pytest.mark.parametrize("region", DEFAULT_REGIONS)
def test_fast_path_agrees_with_phonenumbers(region: str | None) -> None:
    numbers = [*ODD, *NATIONAL, *(INTERNATIONAL if region in (None, "US") else [])]
    fast = NumberNormalizer(region)
    got = [None if d is None else f"+{d}" for d in fast.many(numbers)]
    expected = [to_e164(n, region) for n in numbers]
    wrong = [(n, g, e) for n, g, e in zip(numbers, got, expected, strict=True) if g != e]
    assert wrong == []
    if region is None:  # all read as international: the short path decides nearly all
        assert fast.slow < len(numbers) / 20


def test_international_numbers_never_need_the_slow_path() -> None:
    fast = NumberNormalizer("US")
    answers = fast.many(["+1 415 555 0101", "+44 7911 123456", "+44 7911 999986",
                         "+33 6 12 34 56 78", "+999 123 456", "+0 415"])
    assert answers == [14155550101, 447911123456, None, 33612345678, None, None]
    assert fast.slow == 0


def test_a_number_phonenumbers_refuses_is_refused_whatever_the_path() -> None:
    fast = NumberNormalizer("US")
    assert fast("+1\t415 555 0101") is None and to_e164("+1\t415 555 0101", "US") is None
    assert fast("+²") is None  # a digit to str.isdigit, not to int(): no crash


def test_line_breaks_tabs_and_missing_numbers_among_many() -> None:
    odd = ["+1 415\n555 0101", " +1 415 555 0101\t", None, "\t(415) 555-0101\r"]
    fast = NumberNormalizer("US")
    assert [None if d is None else f"+{d}" for d in fast.many(odd)] == [
        to_e164(n, "US") if n else None for n in odd]
    assert fast.many(["+1 415 555 0101\t", "415.555.0101 "]) == [14155550101] * 2
