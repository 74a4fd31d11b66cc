"""Which tokens exist in CiviCRM 6.17.2's SMS messages, and what each one reads.

Taken from a real 6.17.2 site (``TokenProcessor::listTokens`` for a mass SMS, and the
legacy names ``CRM_Contact_Tokens`` still maps); docs/tokens.md lists them with what civisms
renders. A token name is normalised first (``canonical``: ``{contact.city}`` reads
``address_primary.city``), then falls into one kind:

* a ``civicrm_contact`` column (``first_name``, ``gender_id:label`` ...);
* a path through a related record (``RELATED``: primary address, phone, email, employer),
  fetched by the backend in one query per batch;
* a custom field (``custom_N``), rendered as CiviCRM renders it: option labels, dates as
  stored (``2019-05-06``), numbers as typed; ``custom_N:label`` renders empty, as in CiviCRM;
* ``checksum`` / ``checksum_value``, computed (``civisms.text.render``);
* a ``domain.*`` field;
* ``UNSUPPORTED``: real CiviCRM tokens civisms cannot render (mailing links, signatures,
  IM, websites...). Refused in civisms' own commands; rendered empty in a mailing made in
  CiviCRM.
"""

from __future__ import annotations

import re

#: Legacy or alternative names -> the name CiviCRM 6.17.2 evaluates (CRM_Contact_Tokens).
ALIASES = {
    "individual_prefix": "prefix_id:label", "individual_suffix": "suffix_id:label",
    "contact_type": "contact_type:label", "gender": "gender_id:label",
    "communication_style": "communication_style_id:label",
    "preferred_communication_method": "preferred_communication_method:label",
    "email_greeting": "email_greeting_display", "postal_greeting": "postal_greeting_display",
    "addressee": "addressee_display", "contact_id": "id", "contact_source": "source",
    "contact_is_deleted": "is_deleted", "current_employer_id": "employer_id",
    "on_hold": "email_primary.on_hold:label",
    "phone_type_id": "phone_primary.phone_type_id",
    "phone_type_id:label": "phone_primary.phone_type_id:label",
    "phone_type": "phone_primary.phone_type_id:label", "phone": "phone_primary.phone",
    "phone_ext": "phone_primary.phone_ext", "current_employer": "employer_id.display_name",
    "location_type_id": "address_primary.location_type_id",
    "location_type": "address_primary.location_type_id:label",
    "location_type_id:label": "address_primary.location_type_id:label",
    "street_address": "address_primary.street_address", "address_id": "address_primary.id",
    "address_name": "address_primary.name", "street_number": "address_primary.street_number",
    "street_number_suffix": "address_primary.street_number_suffix",
    "street_name": "address_primary.street_name", "street_unit": "address_primary.street_unit",
    "supplemental_address_1": "address_primary.supplemental_address_1",
    "supplemental_address_2": "address_primary.supplemental_address_2",
    "supplemental_address_3": "address_primary.supplemental_address_3",
    "city": "address_primary.city", "postal_code": "address_primary.postal_code",
    "postal_code_suffix": "address_primary.postal_code_suffix",
    "geo_code_1": "address_primary.geo_code_1", "geo_code_2": "address_primary.geo_code_2",
    "manual_geo_code": "address_primary.manual_geo_code",
    "master_id": "address_primary.master_id", "county": "address_primary.county_id:label",
    "county_id": "address_primary.county_id",
    "state_province": "address_primary.state_province_id:abbr",
    "state_province_id": "address_primary.state_province_id",
    "country": "address_primary.country_id:label", "country_id": "address_primary.country_id",
    "world_region": "address_primary.country_id.region_id:name",
    "email": "email_primary.email", "signature_text": "email_primary.signature_text",
    "signature_html": "email_primary.signature_html", "im": "im_primary.name",
    "im_provider": "im_primary.provider_id:label", "openid": "openid_primary.openid",
    "url": "website_first.url",
}
# The briefly used "primary_*" spellings CiviCRM also maps (primary_email.email ...).
_OLD_PREFIXES = {"email_primary": "primary_email", "im_primary": "primary_im",
                 "phone_primary": "primary_phone", "address_primary": "primary_address",
                 "openid_primary": "primary_openid", "website_first": "primary_website"}
for _target in list(ALIASES.values()):
    _head, _, _rest = _target.partition(".")
    if _head in _OLD_PREFIXES and _rest:
        ALIASES.setdefault(f"{_OLD_PREFIXES[_head]}.{_rest}", _target)

_ADDRESS = (
    "id", "name", "street_address", "street_number", "street_number_suffix", "street_name",
    "street_unit", "supplemental_address_1", "supplemental_address_2",
    "supplemental_address_3", "city", "postal_code", "postal_code_suffix", "geo_code_1",
    "geo_code_2", "manual_geo_code", "master_id", "location_type_id",
    "location_type_id:label", "county_id", "county_id:label", "state_province_id",
    "state_province_id:abbr", "state_province_id:label", "country_id", "country_id:label",
    "country_id:abbr", "country_id:name", "country_id.region_id:name",
)
#: Paths through related records the backends fetch (API v4 names).
RELATED = frozenset(
    [f"address_primary.{f}" for f in _ADDRESS]
    + ["phone_primary.phone", "phone_primary.phone_ext", "phone_primary.phone_type_id",
       "phone_primary.phone_type_id:label", "email_primary.email", "email_primary.on_hold",
       "employer_id.display_name"]
)
#: Related booleans whose ``:label`` is Yes / No (the value is fetched without the suffix).
RELATED_BOOLEANS = frozenset({"email_primary.on_hold"})

#: Real CiviCRM 6.17.2 tokens of a mass SMS that civisms does not render.
UNSUPPORTED_CONTACT = frozenset({
    "email_primary.signature_text", "email_primary.signature_html", "website_first.url",
    "im_primary.name", "im_primary.provider_id:label", "openid_primary.openid",
})
UNSUPPORTED_ENTITIES = {
    "action": {"eventQueueId", "forward", "optOut", "optOutUrl", "reply", "resubscribe",
               "resubscribeUrl", "subscribeUrl", "unsubscribe", "unsubscribeUrl"},
    "mailing": {"approvalNote", "approvalStatus", "approveUrl", "creator", "creatorEmail",
                "editUrl", "group", "html", "id", "key", "name", "scheduleUrl", "subject",
                "viewUrl"},
    "afformSubmission": {"validateSubmissionLink", "validateSubmissionUrl"},
    "site": {"message_header"},
    "domain": {"base_url", "tax_term", "empowered_by_civicrm_image_url"},
}

DOMAIN_FIELDS = (
    "id", "name", "description", "email", "phone", "address", "now", "street_address",
    "supplemental_address_1", "supplemental_address_2", "supplemental_address_3", "city",
    "postal_code", "state_province_id:label", "state_province_id:abbr", "country_id:label",
)

#: Contact columns API v4 returns only for one contact type: on the api4 backend they
#: render empty for the others (an Individual's organization_name, CiviCRM's copy of its
#: employer's name, renders on db and in CiviCRM).
API4_TYPE_ONLY = frozenset({"organization_name", "legal_name", "sic_code", "household_name"})

CUSTOM = re.compile(r"custom_(\d+)(?::(label|name))?$")
CHECKSUMS = frozenset({"checksum", "checksum_value"})


def canonical(field: str) -> str:
    """The name CiviCRM evaluates for a contact token field (aliases resolved)."""
    return ALIASES.get(field, field)


def unsupported(entity: str, field: str) -> bool:
    """True for a real CiviCRM token civisms does not render."""
    if entity == "contact":
        return canonical(field) in UNSUPPORTED_CONTACT
    return field in UNSUPPORTED_ENTITIES.get(entity, ())
