"""Token values from CiviCRM: exactly the fields a template needs, fetched once per batch.

The send pipelines call ``token_values`` (or ``render_messages``) with a parsed template
and the recipients' contact ids; ``contact_values`` is the pure part, usable without a
CiviCRM connection (tests, benchmarks, previews of a known ``Contact``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from civisms.civicrm.base import CiviCRM
from civisms.model import Contact, CustomField, Domain
from civisms.text.catalog import CHECKSUMS, CUSTOM, RELATED, RELATED_BOOLEANS, canonical
from civisms.text.dates import as_datetime
from civisms.text.filters import php_truthy, to_text
from civisms.text.tokens import (
    BOOLEAN_COLUMNS,
    DATE_COLUMNS,
    MULTI_COLUMNS,
    OPTION_GROUPS,
    Template,
)

#: ``checksum_timeout`` when the site never saved it (Core.setting.php: 7 days).
DEFAULT_CHECKSUM_DAYS = 7.0

_ATTRIBUTES = ("id", "contact_type", "display_name", "do_not_sms", "is_opt_out", "is_deceased",
               "is_deleted")

#: option group -> {value as string -> label (or name)}
Options = Mapping[str, Mapping[str, str]]


def domain_values(domain: Domain | None, now: datetime | None = None,
                  address: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``domain.*`` token values (``domain.now`` is the time of rendering); ``address``:
    the domain contact's primary address as ``related_values`` returns it."""
    if domain is None:
        return {}
    values: dict[str, Any] = {
        "domain.id": domain.id,
        "domain.name": domain.name,
        "domain.description": domain.description,
        "domain.email": domain.email,
        "domain.phone": domain.phone,
        "domain.address": domain.address,
        "domain.now": now or datetime.now().replace(microsecond=0),
    }
    if address:
        for field, path in DOMAIN_ADDRESS.items():
            values[f"domain.{field}"] = address.get(path)
        values["domain.address"] = domain.address or format_address(address)
    return values


#: domain.* address fields -> the related path they read on the domain contact.
DOMAIN_ADDRESS = {
    "street_address": "address_primary.street_address",
    "supplemental_address_1": "address_primary.supplemental_address_1",
    "supplemental_address_2": "address_primary.supplemental_address_2",
    "supplemental_address_3": "address_primary.supplemental_address_3",
    "city": "address_primary.city",
    "postal_code": "address_primary.postal_code",
    "state_province_id:label": "address_primary.state_province_id:label",
    "state_province_id:abbr": "address_primary.state_province_id:abbr",
    "country_id:label": "address_primary.country_id:label",
}
_ADDRESS_PATHS = (*DOMAIN_ADDRESS.values(), "address_primary.name")


def format_address(address: Mapping[str, Any]) -> str:
    """CiviCRM's default address format (``address_format`` setting as installed): name,
    street, supplemental lines, ``City, ST 12345``, country; one line each, empty ones
    left out, each ending with a newline."""
    def get(path: str) -> str:
        value = address.get(f"address_primary.{path}")
        return "" if value is None else str(value).strip()

    city_line = get("city")
    state, postal = get("state_province_id:abbr"), get("postal_code")
    if state:
        city_line += (", " if city_line else "") + state
    if postal:
        city_line += (" " if city_line else "") + postal
    lines = [get("name"), get("street_address"), get("supplemental_address_1"),
             get("supplemental_address_2"), get("supplemental_address_3"), city_line,
             get("country_id:label")]
    return "".join(f"{line}\n" for line in lines if line)


def checksum(contact_id: int, contact_hash: str | None, now: float, days: float) -> str | None:
    """CiviCRM's contact checksum (``CRM_Contact_BAO_Contact_Utils::generateChecksum``):
    ``md5("{hash}_{id}_{ts}_{live}")_{ts}_{live}``, ``live`` in hours (``checksum_timeout``
    days x 24); a link with ``cs=`` it makes works on the site until then."""
    if not contact_hash:
        return None
    ts, live = int(now), int(24 * days)
    digest = hashlib.md5(f"{contact_hash}_{contact_id}_{ts}_{live}".encode()).hexdigest()
    return f"{digest}_{ts}_{live}"


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
    if column == "preferred_language":
        # The column stores the option *name* (fr_FR): :name is the value, :label its label.
        return value if suffix == "name" else labels.get(group, {}).get(str(value), value)
    table = (labels if suffix == "label" else names).get(group, {})
    if isinstance(value, list):
        return [table.get(v, "") for v in value]
    return table.get(str(value))


def _yes_no(value: Any) -> str | None:
    return None if value is None else ("Yes" if php_truthy(value) else "No")


def custom_text(field: CustomField, value: Any) -> str | None:
    """A custom field's value as CiviCRM renders ``{contact.custom_N}``: option labels
    (several joined by ``, ``), a date as stored (``2019-05-06``), anything else as is."""
    if value is None or value == "":
        return None
    if field.serialize:
        return ", ".join(field.options.get(v, v) for v in _split_multi(value))
    if field.options:
        return field.options.get(str(value), str(value))
    if field.data_type == "Date":
        return str(value)[:10] if str(value)[11:19] in ("", "00:00:00") else str(value)[:16]
    if field.data_type == "Boolean":
        return "Yes" if php_truthy(value) else "No"
    return to_text(value)


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
    related: Mapping[str, Any] | None = None,
    custom: Mapping[int, Any] | None = None,
    checksum_value: str | None = None,
) -> dict[str, Any]:
    """The values ``template.render`` needs for one contact (raw, unformatted).

    ``labels`` / ``names``: option group -> value -> label / name, for ``:label`` and
    ``:name`` tokens; ``domain``: the result of ``domain_values``; ``related``: path ->
    value (``related_values``); ``custom``: field id -> text (``custom_text``).
    """
    values: dict[str, Any] = dict(domain) if domain else {}
    labels, names = labels or {}, names or {}
    for token in template.tokens:
        key = token.key
        if token.entity != "contact" or key in values:
            continue
        values[key] = _contact_value(contact, canonical(token.field), labels, names,
                                     related, custom or {}, checksum_value)
    return values


def _contact_value(contact: Contact, field: str, labels: Options, names: Options,
                   related: Mapping[str, Any] | None, custom: Mapping[int, Any],
                   checksum_value: str | None) -> Any:
    column, _, suffix = field.partition(":")
    if field in CHECKSUMS:
        if checksum_value is None:
            return None
        return f"cs={checksum_value}" if field == "checksum" else checksum_value
    if (match := CUSTOM.match(field)) is not None:
        return custom.get(int(match.group(1))) if match.group(2) is None else None
    if related is None and field in _FALLBACK:  # a backend without related_values
        return contact.email if field == "email_primary.email" else _primary_phone(contact)
    if field in RELATED:
        return (related or {}).get(field)
    if column in RELATED_BOOLEANS:
        return _yes_no((related or {}).get(column))
    if suffix == "label" and column in BOOLEAN_COLUMNS:
        return _yes_no(_raw(contact, column))
    if field == "contact_type:label":
        return _raw(contact, "contact_type")
    if suffix:
        return _option(_raw(contact, column), column, suffix, labels, names)
    return _raw(contact, column)


_FALLBACK = ("email_primary.email", "phone_primary.phone")


class ContactRenderer:
    """A template with the site-wide values its tokens need (option labels and names, the
    domain, custom field definitions) fetched once; per batch, the contacts' related
    records and custom values in one look-up each."""

    def __init__(self, civicrm: CiviCRM, template: Template) -> None:
        needs = template.needs
        self.civicrm = civicrm
        self.template = template
        self.labels = {group: civicrm.option_labels(group) for group in sorted(needs.label_groups)}
        if "languages" in self.labels:  # preferred_language stores the option name
            self.labels["languages"] = {**self.labels["languages"],
                                        **civicrm.option_name_labels("languages")}
        self.names = {
            group: {str(value): name for name, value in civicrm.option_values(group).items()}
            for group in sorted(needs.name_groups)
        }
        self.domain = self._domain() if needs.domain else {}
        self.custom_fields = list(civicrm.custom_fields(needs.custom).values())
        days = civicrm.setting("checksum_timeout") if needs.checksum else None
        self.checksum_days = float(days) if days not in (None, "") else DEFAULT_CHECKSUM_DAYS
        self._related: dict[int, dict[str, Any]] = {}
        self._custom: dict[int, dict[int, Any]] = {}

    def _domain(self) -> dict[str, Any]:
        domain = self.civicrm.domain()
        address = None
        if domain.contact_id:
            found = self.civicrm.related_values([domain.contact_id], _ADDRESS_PATHS)
            address = found.get(domain.contact_id)
        return domain_values(domain, address=address)

    def values(self, contact: Contact) -> dict[str, Any]:
        """The token values for one contact (after ``contacts`` loaded its batch)."""
        needs = self.template.needs
        cs = None
        if needs.checksum:
            cs = checksum(contact.id, contact.fields.get("hash"), time.time(), self.checksum_days)
        return contact_values(
            self.template, contact, labels=self.labels, names=self.names, domain=self.domain,
            related=self._related.get(contact.id),
            custom=self._custom.get(contact.id, {}), checksum_value=cs,
        )

    def contacts(self, contact_ids: Sequence[int]) -> list[Contact]:
        """The contacts with the columns the tokens need, and (kept for ``values``) their
        related records and custom values."""
        needs = self.template.needs
        ids = list(contact_ids)
        fallback = bool(needs.related & set(_FALLBACK))
        found = self.civicrm.contacts(ids, sorted(needs.contact_fields), phones=fallback)
        if needs.related:
            self._related = self.civicrm.related_values(ids, sorted(needs.related))
        if self.custom_fields:
            raw = self.civicrm.custom_values(ids, self.custom_fields)
            self._custom = {cid: {f.id: custom_text(f, row.get(f.id))
                                  for f in self.custom_fields} for cid, row in raw.items()}
        return found

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
