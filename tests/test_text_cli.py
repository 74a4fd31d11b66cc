"""``civisms text check``: the preview an administrator reads before sending.

Tests with ``--contact`` run against the sample site in a throw-away MariaDB database
(``site`` fixture, tests/conftest.py) through the db backend.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from civisms.cli import main

OBSERVED = ("Hi {contact.first_name} {contact.last_name}, the Spring drive starts Saturday! "
            "Ça va? – {domain.name}")


def run(*args: str, **env: str) -> Result:
    base = {"CIVISMS_MAX_SEGMENTS": "1", "CIVISMS_CONFIG": ""}
    base.update(env)
    return CliRunner().invoke(main, ["text", "check", *args], env=base)


def run_json(*args: str, **env: str) -> tuple[int, dict[str, Any]]:
    result = run("--json", *args, **env)
    return result.exit_code, json.loads(result.stdout)


def test_plain_gsm_text_is_within_policy() -> None:
    code, report = run_json("See you Saturday at 10, bring a friend!")
    assert code == 0
    assert report["encoding"] == "GSM-7"
    assert report["segments"] == 1
    assert report["characters"] == 39
    assert report["non_gsm"] == []
    assert report["within_policy"] is True


def test_over_policy_exits_1_and_names_the_culprit() -> None:
    text = "Ça va? – " + "x" * 70
    code, report = run_json(text)
    assert code == 1
    assert report["encoding"] == "UCS-2"
    assert report["segments"] == 2
    assert report["within_policy"] is False
    assert report["non_gsm"] == [{"char": "–", "position": 7, "codepoints": ["U+2013"]}]
    assert "'–' at 7" in report["reason"]
    # Smart encoding would make it GSM-7 again, and the preview says so.
    assert report["smart_encoding"]["changes_encoding"] is True
    assert report["smart_encoding"]["encoding"] == "GSM-7"


def test_max_segments_setting_raises_the_limit() -> None:
    code, report = run_json("a" * 200, CIVISMS_MAX_SEGMENTS="2")
    assert (code, report["segments"], report["within_policy"]) == (0, 2, True)
    code, _ = run_json("a" * 200)
    assert code == 1


def test_smart_encoding_option_applies_the_replacements() -> None:
    code, report = run_json("--smart-encoding", "It’s “great” – see you…")
    assert code == 0
    assert report["text"] == "It's \"great\" - see you..."
    assert report["encoding"] == "GSM-7"
    assert report["smart_encoding"]["applied"] is True


def test_text_report_shows_tokens_when_no_contact_is_given() -> None:
    result = run(OBSERVED)
    assert result.exit_code == 1  # the en dash forces UCS-2: 2 segments
    out = result.stdout
    assert "tokens:      {contact.first_name}, {contact.last_name}, {domain.name}" in out
    assert "encoding:    UCS-2" in out
    assert "non-GSM:     '–' (U+2013) at 86" in out
    assert "smart encoding would send: GSM-7, 1 segment(s)" in out
    assert "OVER POLICY" in out


def test_unknown_token_is_bad_input() -> None:
    result = run("Hi {contact.frist_name}")
    assert result.exit_code == 2
    assert "did you mean {contact.first_name}?" in result.stderr
    assert run("--keep-unknown", "Hi {contact.frist_name}").exit_code == 0


def test_text_and_file_are_exclusive_and_required() -> None:
    assert run().exit_code == 2
    assert run("").exit_code == 2


def test_file_is_read_as_utf8_without_the_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "msg.txt"
    path.write_text("Hélène, à samedi !\n", encoding="utf-8")
    code, report = run_json("--file", str(path))
    assert (code, report["text"], report["encoding"]) == (0, "Hélène, à samedi !", "GSM-7")


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the file is empty"),
    (b"caf\xe9", "not UTF-8 text (byte 0xe9 at offset 3)"),
    (b"a" * 1_000_001, "at most 1 MB"),
])
def test_bad_files_give_one_clear_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "msg.txt"
    path.write_bytes(content)
    result = run("--file", str(path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_missing_file_is_bad_input(tmp_path: Path) -> None:
    result = run("--file", str(tmp_path / "nope.txt"))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


# -- with a CiviCRM site ------------------------------------------------------------------------

def test_contact_renders_the_observed_message_exactly(site: Any) -> None:
    code, report = run_json(
        "--contact", "9", OBSERVED, CIVISMS_BACKEND="db", CIVISMS_DB_URL=site.url
    )
    assert report["text"] == (
        "Hi Hélène Dupré-Lefèvre, the Spring drive starts Saturday! Ça va? – Default Domain Name"
    )
    assert report["rendered"] is True
    assert (report["encoding"], report["segments"], report["characters"]) == ("UCS-2", 2, 87)
    assert code == 1


def test_contact_with_filters_and_labels(site: Any) -> None:
    text = ('{contact.prefix_id:label} {contact.last_name|upper}, '
            '{contact.nick_name|default:"friend"}')
    code, report = run_json("--contact", "23", text, CIVISMS_BACKEND="db", CIVISMS_DB_URL=site.url)
    assert (code, report["text"]) == (0, "Mr. MOREAU, friend")


def test_unknown_contact_is_bad_input(site: Any) -> None:
    result = run("--contact", "999", "Hi {contact.first_name}",
                 CIVISMS_BACKEND="db", CIVISMS_DB_URL=site.url)
    assert result.exit_code == 2
    assert "no contact with id 999" in result.stderr


def test_gateway_option_counts_as_that_gateway_cuts() -> None:
    text = "ç" + "a" * 65 + "🎉" + "b" * 66  # the emoji's pair on units 67 and 68
    code, kannel = run_json("--gateway", "kannel", text, CIVISMS_MAX_SEGMENTS="2")
    assert code == 0 and kannel["segments"] == 2 and kannel["within_policy"]
    code, twilio = run_json("--gateway", "twilio", text, CIVISMS_MAX_SEGMENTS="2")
    assert code == 1 and twilio["segments"] == 3
    assert "'🎉' at 66 cannot be split between parts" in twilio["reason"]
    result = run("--gateway", "telerivet", "hi")
    assert result.exit_code == 2 and "kannel" in result.stderr
