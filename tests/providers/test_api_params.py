"""api_params parsing exactly as CiviCRM's getProviderInfo() (COMPAT §1.2)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from civisms.civicrm.params import parse_api_params, raw_api_param


def test_twilio_style_params() -> None:
    assert parse_api_params("From=+15551234567\nmo=1") == {"From": "+15551234567", "mo": "1"}


def test_value_with_equals_is_cut_at_the_second_equals() -> None:
    # explode("=") keeps pieces 0 and 1 only: a base64 key loses its padding.
    assert parse_api_params("api_id=abc==\nurl=https://x/?a=1&b=2") == {
        "api_id": "abc", "url": "https://x/?a",
    }


def test_empty_lines_skipped_and_both_sides_trimmed() -> None:
    assert parse_api_params("\n  From = +1555 \n\n\tmo=1\t\n") == {"From": "+1555", "mo": "1"}


def test_php_quirks() -> None:
    assert parse_api_params(None) == {}
    assert parse_api_params("") == {}
    assert parse_api_params("0\nx=1") == {"x": "1"}  # empty("0") is true in PHP
    assert parse_api_params("novalue") == {"novalue": ""}
    assert parse_api_params("a=1\r\n\r\nb=2\r\n") == {"a": "1", "": "", "b": "2"}
    assert parse_api_params("a=1\na=2") == {"a": "2"}  # later duplicate wins


def test_php_trim_keeps_unicode_spaces() -> None:
    assert parse_api_params("from=\u00a0MyOrg ") == {"from": "\u00a0MyOrg"}


def test_raw_value_is_whole() -> None:
    text = "api_id=abc==\nStatusCallback=https://h/cb?provider_id=3\n"
    assert raw_api_param(text, "api_id") == "abc=="
    assert raw_api_param(text, "StatusCallback") == "https://h/cb?provider_id=3"
    assert raw_api_param(text, "missing") is None
    assert raw_api_param(None, "api_id") is None


@given(st.dictionaries(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789+|:/.", max_size=20),
))
def test_round_trip_of_simple_params(params: dict[str, str]) -> None:
    text = "\n".join(f"{k}={v}" for k, v in params.items())
    assert parse_api_params(text) == params
