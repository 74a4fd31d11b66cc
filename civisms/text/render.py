"""Token values from CiviCRM: exactly the fields a template needs, fetched once per batch.

The send pipelines call ``token_values`` (or ``render_messages``) with a parsed template
and the recipients' contact ids; ``contact_values`` is the pure part, usable without a
CiviCRM connection (tests, benchmarks, previews of a known ``Contact``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from civisms.civicrm.base import CiviCRM
from civisms.model import Contact, Domain
from civisms.text.dates import as_datetime
from civisms.text.tokens import (
    BOOLEAN_COLUMNS,
    CONTACT_RELATED,
    DATE_COLUMNS,
    MULTI_COLUMNS,
    OPTION_GROUPS,
    Template,
)

_ATTRIBUTES = ("id", "contact_type", "display_name", "do_not_sms", "is_opt_out", "is_deceased",
               "is_deleted")

#: option group -> {value as string -> label (or name)}
Options = Mapping[str, Mapping[str, str]]


def domain_values(domain: Domain | None, now: datetime | None = None) -> dict[str, Any]:
    """``domain.*`` token values (``domain.now`` is the time of rendering)."""
    if domain is None:
        return {}
    return {
        "domain.id": domain.id,
        "domain.name": domain.name,
        "domain.email": domain.email,
        "domain.phone": domain.phone,
        "domain.address": domain.address,
        "domain.now": now or datetime.now().replace(microsecond=0),
    }


def _raw(contact: Contact, column: str) -> Any:
    if column in contact.fields:
        value = contact.fields[column]
    elif column in _ATTRIBUTES:
        value = getattr(contact, column)
    else:
        return None
    if value is None:
        return None
    if column in BOOLEAN_COLUMNS:
        return bool(int(value)) if isinstance(value, str) and value.isdigit() else bool(value)
    if column in DATE_COLUMNS:
        return as_datetime(value)
    if column in MULTI_COLUMNS:
        return _split_multi(value)
    return value


def _split_multi(value: Any) -> list[str]:
    """Bookend-serialised ``\\x01a\\x01b\\x01`` (DB) or a list (API) -> ``["a", "b"]``."""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [part for part in str(value).split("\x01") if part]


def _option(value: Any, column: str, suffix: str, labels: Options, names: Options) -> Any:
    if value is None:
        return None
    group = OPTION_GROUPS[column]
    if suffix == "name" and column == "preferred_language":
        return value  # the column stores the option *name* (fr_FR) already
    table = (labels if suffix == "label" else names).get(group, {})
    if isinstance(value, list):
        return [table.get(v, "") for v in value]
    found = table.get(str(value))
    if found is None and column == "preferred_language":
        # Label tables are keyed by option value; this column stores the name. Show the
        # code rather than nothing when the backend's table does not know it.
        return value
    return found


def _primary_phone(contact: Contact) -> str | None:
    for phone in contact.phones:
        if phone.is_primary:
            return phone.phone
    return None


def contact_values(
    template: Template,
    contact: Contact,
    *,
    labels: Options | None = None,
    names: Options | None = None,
    domain: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The values ``template.render`` needs for one contact (raw, unformatted).

    ``labels`` / ``names``: option group -> value -> label / name, for ``:label`` and
    ``:name`` tokens; ``domain``: the result of ``domain_values``.
    """
    values: dict[str, Any] = dict(domain) if domain else {}
    labels = labels or {}
    names = names or {}
    for token in template.tokens:
        name = token.name
        if token.entity != "contact" or name in values:
            continue
        field, _, suffix = token.field.partition(":")
        if field in CONTACT_RELATED:
            kind = CONTACT_RELATED[field]
            values[name] = contact.email if kind == "email" else _primary_phone(contact)
        elif suffix:
            values[name] = _option(_raw(contact, field), field, suffix, labels, names)
        else:
            values[name] = _raw(contact, field)
    return values


class ContactRenderer:
    """A template with the site-wide values its tokens need (option labels and names, the
    domain) fetched once; renders any number of contacts without another look-up."""

    def __init__(self, civicrm: CiviCRM, template: Template) -> None:
        needs = template.needs
        self.civicrm = civicrm
        self.template = template
        self.labels = {group: civicrm.option_labels(group) for group in sorted(needs.label_groups)}
        self.names = {
            group: {str(value): name for name, value in civicrm.option_values(group).items()}
            for group in sorted(needs.name_groups)
        }
        self.domain = domain_values(civicrm.domain()) if needs.domain else {}

    def values(self, contact: Contact) -> dict[str, Any]:
        """The token values for one contact."""
        return contact_values(
            self.template, contact, labels=self.labels, names=self.names, domain=self.domain
        )

    def contacts(self, contact_ids: Sequence[int]) -> list[Contact]:
        """The contacts with the columns the tokens need; their phones and email only
        when a token names them (loading those is most of the cost of a large batch)."""
        needs = self.template.needs
        return self.civicrm.contacts(list(contact_ids), sorted(needs.contact_fields),
                                     phones=bool(needs.contact_related))

    def render_all(self, contacts: Sequence[Contact]) -> dict[int, str]:
        """Each contact's rendered text, by contact id."""
        return {c.id: self.template.render(self.values(c)) for c in contacts}


def token_values(
    civicrm: CiviCRM, template: Template, contact_ids: Sequence[int]
) -> dict[int, Mapping[str, Any]]:
    """Token values per contact id, fetching only what ``template`` needs.

    Contacts the site does not have are absent from the result when the template has
    contact tokens; a template with none gets an entry for every id (nothing to look up).
    """
    needs = template.needs
    renderer = ContactRenderer(civicrm, template)
    if not needs.contact:
        return {int(cid): renderer.domain for cid in contact_ids}
    return {c.id: renderer.values(c) for c in renderer.contacts(contact_ids)}


def render_messages(
    civicrm: CiviCRM, template: Template, contact_ids: Sequence[int]
) -> dict[int, str]:
    """The rendered text per contact id (contacts the site lacks are absent)."""
    values = token_values(civicrm, template, contact_ids)
    return {cid: template.render(v) for cid, v in values.items()}
