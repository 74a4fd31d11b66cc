"""Every token of CiviCRM 6.17.2's SMS token list renders as CiviCRM renders it.

fixtures/tokens/real-6.17.2.sql holds contacts, addresses and custom fields copied from a
real 6.17.2 site; real-6.17.2.json what that site rendered for each token and contact (one
token per message, as a mass SMS is composed). Both backends must give the same text.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from civisms.errors import TextError
from civisms.text import parse, render_messages
from civisms.text.render import checksum

if TYPE_CHECKING:
    from conftest import SiteDb

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "tokens"
TABLE = json.loads((FIXTURES / "real-6.17.2.json").read_text(encoding="utf-8"))
CONTACTS = (1001, 1002, 1003)
#: Change with the clock: checked on their own below.
MOVING = re.compile(r"\{(contact\.(created_date|modified_date|checksum(_value)?)|domain\.now)\}")
#: Not tokens CiviCRM renders either: it leaves them, throws, or renders empty.
NOT_TOKENS = {"{contact.nickname_x}", "{contact.first_name", "{foo.bar}",
              "{contact.address_primary.bogus}", "{domain.bogus}", "{mailing.bogus}",
              "{contact.first_name|nosuch}", "{contact.id:label}",
              "{contact.employer_id.first_name}"}


def load_real_rows(site: SiteDb) -> None:
    sql = (FIXTURES / "real-6.17.2.sql").read_text(encoding="utf-8")
    for statement in re.split(r";\n", sql):
        body = "\n".join(line for line in statement.splitlines()
                         if not line.startswith("--")).strip()
        if body:
            site.execute(body)


@pytest.fixture
def civicrm(request: pytest.FixtureRequest, site: SiteDb) -> Any:
    load_real_rows(site)
    if request.param == "db":
        from civisms.civicrm.db import DbCiviCRM

        with DbCiviCRM.from_settings(site.settings()) as civi:
            yield civi
    else:
        yield request.getfixturevalue("api4_civicrm")


def table_tokens() -> list[str]:
    return [t for t in TABLE["contacts"]["1002"] if not MOVING.search(t) and t not in NOT_TOKENS]


@pytest.mark.parametrize("civicrm", ["db", "api4"], indirect=True)
def test_every_token_renders_as_civicrm_renders_it(civicrm: Any) -> None:
    mismatches = []
    for token in table_tokens():
        template = parse(token, unknown="lenient")
        got = render_messages(civicrm, template, list(CONTACTS))
        for cid in CONTACTS:
            real = TABLE["contacts"][str(cid)][token]
            if template.unsupported:
                expected = ""  # a real token civisms lacks: empty, and refused below
            elif "error" in real:
                expected = ""  # CiviCRM throws on it; civisms renders nothing
            else:
                expected = real["ok"]
            if got[cid] != expected:
                mismatches.append((token, cid, got[cid], expected))
    for m in mismatches:
        print("MISMATCH", m)
    assert mismatches == []


def test_real_tokens_civisms_lacks_are_refused_in_its_own_commands() -> None:
    lacking = [t for t in table_tokens() if parse(t, unknown="lenient").unsupported]
    assert "{mailing.name}" in lacking and "{contact.website_first.url}" in lacking
    for token in lacking:
        with pytest.raises(TextError, match="civisms cannot render"):
            parse(token)


def test_tokens_civicrm_does_not_know_pause_rather_than_send_braces() -> None:
    for token in ("{contact.nickname_x}", "{contact.first_name", "{foo.bar}",
                  "{contact.first_name|nosuch}"):
        with pytest.raises(TextError):
            parse(f"Hi {token}")
        template = parse(f"Hi {token}!", unknown="lenient")
        assert template.problems and template.render({}) == "Hi !"


@pytest.mark.parametrize("civicrm", ["db", "api4"], indirect=True)
def test_checksum_is_civicrms_formula(civicrm: Any) -> None:
    # The real site's value for contact 1002 at its time stamp, from the same hash.
    real = TABLE["contacts"]["1002"]["{contact.checksum_value}"]["ok"]
    digest, ts, live = real.split("_")
    hashed = TABLE["contacts"]["1002"]["{contact.hash}"]["ok"]
    assert checksum(1002, hashed, float(ts), int(live) / 24) == real
    assert hashlib.md5(f"{hashed}_1002_{ts}_{live}".encode()).hexdigest() == digest
    text = render_messages(civicrm, parse("{contact.checksum}"), [1002])[1002]
    assert re.fullmatch(r"cs=[0-9a-f]{32}_\d+_168", text)
