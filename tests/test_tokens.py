"""CiviCRM tokens: parsing, rendering as CiviCRM renders, and fetching only what is needed.

``FakeSite`` is a small in-test implementation of the ``CiviCRM`` interface holding
contacts of the sample site (sql/site/sample-site.sql) as the db backend returns them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import pytest

from civisms.civicrm.base import CiviCRM
from civisms.errors import TextError
from civisms.model import (
    Activity,
    Campaign,
    Contact,
    Domain,
    Group,
    MessageTemplate,
    Phone,
    SmsProvider,
)
from civisms.text import contact_values, domain_values, parse, render_messages, token_values
from civisms.text.filters import title_case
from civisms.text.tokens import find_tokens

DOMAIN = Domain(id=1, name="Default Domain Name", version="6.17.2", contact_id=1)
OPTIONS = {
    "individual_prefix": {"Mrs.": 1, "Ms.": 2, "Mr.": 3, "Dr.": 4},
    "individual_suffix": {"Jr.": 1, "Sr.": 2, "II": 3},
    "gender": {"Female": 1, "Male": 2, "Other": 3},
    "preferred_communication_method": {"Phone": 1, "Email": 2, "Postal Mail": 3, "SMS": 4},
}


def _row(cid: int, first: str | None, last: str | None, **extra: Any) -> dict[str, Any]:
    row = {"id": cid, "contact_type": "Individual", "first_name": first, "last_name": last,
           "display_name": f"{first} {last}", "do_not_sms": 0, "is_opt_out": 0,
           "is_deceased": 0, "is_deleted": 0, "nick_name": None, "birth_date": None,
           "prefix_id": None, "suffix_id": None, "gender_id": None,
           "preferred_communication_method": None, "preferred_language": "en_US"}
    row.update(extra)
    return row


ROWS = {
    3: _row(3, "Alice", "Martin"),
    9: _row(9, "Hélène", "Dupré-Lefèvre", preferred_language="fr_FR"),
    12: _row(12, None, None, contact_type="Organization", display_name="Green Valley Co-op"),
    21: _row(21, "Oliver", "Smith", suffix_id=1, gender_id=2, display_name="Oliver Smith Jr."),
    23: _row(23, "Julien", "Moreau", prefix_id=3, gender_id=2, display_name="Mr. Julien Moreau",
             birth_date=date(1980, 5, 3), preferred_communication_method="\x014\x011\x01",
             do_not_sms=1),
}
EMAILS = {3: "alice.martin@example.org"}
PHONES = {9: (Phone(8, 9, "+33 6 12 34 56 78", "33612345678", "Mobile", True),)}


class FakeSite(CiviCRM):
    """The sample site's contacts, answering like the db backend; records what was asked."""

    backend_name = "fake"

    def __init__(self) -> None:
        self.asked_fields: list[list[str]] = []
        self.asked_groups: list[str] = []
        self.domain_calls = 0

    def civicrm_version(self) -> str | None:
        return "6.17.2"

    def domain(self) -> Domain:
        self.domain_calls += 1
        return DOMAIN

    def option_values(self, group: str) -> dict[str, int]:
        self.asked_groups.append(group)
        return OPTIONS[group]

    def option_labels(self, group: str) -> dict[str, str]:
        self.asked_groups.append(group)
        return {str(v): k for k, v in OPTIONS[group].items()}

    def contacts(self, ids: Sequence[int], fields: Iterable[str] = (), *,
                 include_deleted: bool = True, phones: bool = True) -> list[Contact]:
        fields = list(fields)
        self.asked_fields.append(fields)
        out = []
        for cid in sorted(set(ids)):
            if cid not in ROWS:
                continue
            row = ROWS[cid]
            wanted = {"id", "contact_type", "display_name", "do_not_sms", "is_opt_out",
                      "is_deceased", "is_deleted", *fields}
            out.append(Contact(
                id=cid, contact_type=row["contact_type"], display_name=row["display_name"],
                do_not_sms=bool(row["do_not_sms"]), phones=PHONES.get(cid, ()),
                fields={k: v for k, v in row.items() if k in wanted}, email=EMAILS.get(cid),
            ))
        return out

    def group_contact_ids(self, group_id: int) -> list[int]:
        raise NotImplementedError

    def find_contacts(self, text: str) -> list[Contact]:
        raise NotImplementedError

    def groups(self) -> list[Group]:
        raise NotImplementedError

    def sms_templates(self, *, include_inactive: bool = False) -> list[MessageTemplate]:
        raise NotImplementedError

    def save_sms_template(self, title: str, text: str) -> MessageTemplate:
        raise NotImplementedError

    def update_sms_template(self, template_id: int, text: str) -> MessageTemplate:
        raise NotImplementedError

    def sms_providers(self, *, include_inactive: bool = True) -> list[SmsProvider]:
        raise NotImplementedError

    def campaigns(self) -> list[Campaign]:
        raise NotImplementedError

    def create_activity(self, activity: Activity) -> int:
        raise NotImplementedError

    def add_activity_targets(self, activity_id: int, contact_ids: Sequence[int]) -> None:
        raise NotImplementedError


def render(text: str, cid: int) -> str:
    return render_messages(FakeSite(), parse(text), [cid])[cid]


# -- what CiviCRM rendered on the real site ----------------------------------------------------

def test_renders_the_observed_individual_sms_exactly() -> None:
    # civicrm/observed/individual-sms.md: what the provider received for contact 9.
    text = ("Hi {contact.first_name} {contact.last_name}, the Spring drive starts Saturday! "
            "Ça va? – {domain.name}")
    assert render(text, 9) == (
        "Hi Hélène Dupré-Lefèvre, the Spring drive starts Saturday! Ça va? – Default Domain Name"
    )


def test_empty_field_renders_empty_and_default_filter_fills_it() -> None:
    assert render("Hi {contact.first_name}!", 12) == "Hi !"
    assert render('Hi {contact.first_name|default:"friend"}!', 12) == "Hi friend!"
    assert render('Hi {contact.first_name|default:"friend"}!', 9) == "Hi Hélène!"


def test_case_filters_handle_accents() -> None:
    assert render("{contact.last_name|upper}", 9) == "DUPRÉ-LEFÈVRE"
    assert render("{contact.first_name|lower}", 9) == "hélène"
    assert title_case("hélène dupré-lefèvre") == "Hélène Dupré-Lefèvre"
    assert title_case("DVD o'neil 3rd") == "Dvd O'neil 3Rd"  # PHP MB_CASE_TITLE


def test_pseudoconstant_labels_and_names() -> None:
    assert render("{contact.prefix_id:label} {contact.last_name}", 23) == "Mr. Moreau"
    assert render("{contact.first_name} {contact.suffix_id:label}", 21) == "Oliver Jr."
    assert render("{contact.gender_id:label}/{contact.gender_id:name}/{contact.gender_id}", 21) == (
        "Male/Male/2"
    )
    assert render("[{contact.prefix_id:label}]", 9) == "[]"
    # CiviCRM 6.17.2 joins labels with ", " and maps the bare name to :label
    # (fixtures/tokens/real-6.17.2.json).
    assert render("{contact.preferred_communication_method:label}", 23) == "SMS, Phone"
    assert render("{contact.preferred_communication_method}", 23) == "SMS, Phone"
    assert render("{contact.preferred_language:name}", 9) == "fr_FR"


def test_dates_booleans_and_related_values() -> None:
    assert render("{contact.birth_date}", 23) == "May 3rd, 1980"
    assert render('{contact.birth_date|crmDate:"%d/%m/%Y"}', 23) == "03/05/1980"
    assert render('{contact.birth_date|crmDate:"shortdate"}', 23) == "05/03/1980"
    assert render("{contact.birth_date|crmDate}", 23) == "May 3rd, 1980 12:00 AM"
    assert render('[{contact.birth_date|crmDate:"Full"}]', 9) == "[]"
    assert render("{contact.do_not_sms}|{contact.do_not_sms|boolean}", 23) == "1|1"
    assert render("[{contact.do_not_sms}]|{contact.do_not_sms|boolean}", 9) == "[]|0"
    assert render("{contact.email}", 3) == "alice.martin@example.org"
    assert render("[{contact.email}] {contact.phone}", 9) == "[] +33 6 12 34 56 78"


def test_crm_date_named_formats_and_time() -> None:
    template = parse('{domain.now|crmDate:"Datetime"} / {domain.now|crmDate:"%A %e %b %y, %H:%i"}')
    values = domain_values(DOMAIN, now=datetime(2026, 11, 2, 15, 5, 9))
    assert template.render(values) == "November 2nd, 2026  3:05 PM / Monday  2 Nov 26, 15:05"


def test_default_treats_zero_as_empty_like_php() -> None:
    template = parse('{contact.nick_name|default:"none"}')
    contact = Contact(id=1, contact_type="Individual", display_name="x", fields={"nick_name": "0"})
    assert template.render(contact_values(template, contact)) == "none"


# -- parsing -------------------------------------------------------------------------------

def test_unknown_token_is_refused_with_nearest_names() -> None:
    with pytest.raises(TextError) as err:
        parse("Hi {contact.frist_name}")
    assert str(err.value).startswith(
        "unknown token {contact.frist_name}; did you mean {contact.first_name}?"
    )
    expected = r"\{contcat\.last_name\}; did you mean \{contact\.last_name\}"
    with pytest.raises(TextError, match=expected):
        parse("{contcat.last_name}")


def test_unknown_token_can_be_kept_as_typed_like_civicrm() -> None:
    template = parse("Hi {contact.frist_name} {contact.first_name}", unknown="keep")
    assert [t.text for t in template.unknown] == ["{contact.frist_name}"]
    assert render_messages(FakeSite(), template, [9])[9] == "Hi {contact.frist_name} Hélène"


def test_bad_filters_are_refused() -> None:
    with pytest.raises(TextError, match="unknown filter 'uper'; did you mean upper"):
        parse("{contact.first_name|uper}")
    with pytest.raises(TextError, match="malformed filter"):
        parse("{contact.first_name|upper|lower}")
    with pytest.raises(TextError, match="default takes one argument"):
        parse("{contact.first_name|default}")


def test_smarty_and_plain_braces_are_not_tokens() -> None:
    template = parse("{$contact.first_name} {not a token} {contact} 50{%}")
    assert template.tokens == ()
    assert template.render({}) == "{$contact.first_name} {not a token} {contact} 50{%}"


def test_template_lists_tokens_and_what_it_needs() -> None:
    template = parse(
        "{contact.first_name} {contact.prefix_id:label} {contact.gender_id:name} "
        "{contact.email} {contact.first_name|upper} {domain.name}"
    )
    assert template.names == (
        "contact.first_name", "contact.prefix_id:label", "contact.gender_id:name",
        "contact.email", "domain.name",
    )
    needs = template.needs
    assert needs.contact_fields == {"first_name", "prefix_id", "gender_id"}
    assert needs.label_groups == {"individual_prefix"}
    assert needs.name_groups == {"gender"}
    assert needs.related == {"email_primary.email"}  # read as CiviCRM's email_primary
    assert needs.domain
    assert [t.text for t in find_tokens("{a.b|x} {c.d}")] == ["{a.b|x}", "{c.d}"]


def test_token_values_fetch_only_what_the_template_needs() -> None:
    site = FakeSite()
    template = parse("Hi {contact.first_name}, {contact.prefix_id:label}")
    values = token_values(site, template, [9, 23, 999])
    assert site.asked_fields == [["first_name", "prefix_id"]]
    assert site.asked_groups == ["individual_prefix"]
    assert site.domain_calls == 0
    assert set(values) == {9, 23}  # 999 does not exist


def test_template_without_contact_tokens_asks_nothing_about_contacts() -> None:
    site = FakeSite()
    values = token_values(site, parse("Thanks from {domain.name}"), [3, 4])
    assert site.asked_fields == []
    assert parse("Thanks from {domain.name}").render(values[4]) == "Thanks from Default Domain Name"


def test_parsed_once_rendered_for_many() -> None:
    template = parse("Dear {contact.first_name|default:\"friend\"} {contact.last_name|upper}")
    out = render_messages(FakeSite(), template, [3, 9, 12, 21, 23])
    assert out == {
        3: "Dear Alice MARTIN", 9: "Dear Hélène DUPRÉ-LEFÈVRE", 12: "Dear friend ",
        21: "Dear Oliver SMITH", 23: "Dear Julien MOREAU",
    }
