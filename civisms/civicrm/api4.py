"""The ``api4`` backend: CiviCRM's REST API v4, with the calls the recorded site answered.

Reads and writes go through :class:`~civisms.civicrm.api4_client.Api4Client` (HTTP,
paging, errors). Options are looked up by name; results come back in the same order
and shape as the ``db`` backend's for the same data. What API v4 cannot do (mailing
jobs, recipients, scheduling) raises ``NotSupportedByBackend`` through :func:`_unsupported`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NoReturn

from civisms.civicrm import tokendata_api4
from civisms.civicrm.api4_client import Api4Client
from civisms.civicrm.base import BASE_CONTACT_FIELDS, RECORD_TYPES, CiviCRM
from civisms.civicrm.params import parse_api_params
from civisms.civicrm.webhooks_api4 import Api4Webhooks
from civisms.config import Settings
from civisms.errors import CiviCRMAPIError, CiviCRMNotFound, InputError, NotSupportedByBackend
from civisms.model import (
    Activity,
    Campaign,
    Contact,
    CustomField,
    Domain,
    ExtensionState,
    Group,
    MessageTemplate,
    Phone,
    SmsProvider,
)

#: Contact fields API v4 returns only for contacts of one type (6.17.2): absent is None.
TYPE_FIELDS = frozenset({
    "first_name", "middle_name", "last_name", "prefix_id", "suffix_id", "formal_title",
    "gender_id", "birth_date", "job_title", "employer_id", "organization_name", "legal_name",
    "sic_code", "household_name", "primary_contact_id",
})

#: Ids per ``IN`` list (they travel in the POST body, so only the server's memory bounds it).
CHUNK = 500
#: Records per ``save``: one round trip each, small enough to stay within PHP time limits.
SAVE_CHUNK = 200

#: Contact.get hides trashed contacts unless the where names ``is_deleted`` (COMPAT §7.5).
ANY_DELETED = ["is_deleted", "IN", [True, False]]
NOT_DELETED = ["is_deleted", "=", False]

# Same request as the recording OptionValue.get.phone_type, for every group.
_OPTION_SELECT = ["id", "value", "name", "label", "is_active", "weight"]
_PHONE_SELECT = [
    "id", "contact_id", "phone", "phone_numeric", "phone_type_id:name", "is_primary",
    "location_type_id",
]
_TEMPLATE_SELECT = ["id", "msg_title", "msg_text", "is_active"]
_PROVIDER_SELECT = [
    "id", "name", "title", "username", "password", "api_type:name", "api_url", "api_params",
    "is_default", "is_active", "domain_id",
]
# Primary first, then lowest id: the db backend's rule for "the" email / phone.
_PRIMARY_FIRST = {"contact_id": "ASC", "is_primary": "DESC", "id": "ASC"}


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[list[int]]:
    """``ids`` in lists of at most ``size``."""
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


class Api4CiviCRM(Api4Webhooks, CiviCRM):
    """A CiviCRM site seen through its REST API v4."""

    backend_name = "api4"

    def __init__(self, client: Api4Client, *, domain_id: int = 1) -> None:
        self.api = client
        self.domain_id = domain_id
        self._options: dict[str, list[dict[str, Any]]] = {}
        self._acting: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Api4CiviCRM:
        """The backend for ``CIVISMS_API_URL`` / ``_API_KEY`` / ``_SITE_KEY``."""
        api_url, api_key = settings.require_api()
        site_key = settings.site_key.get_secret_value() if settings.site_key else None
        client = Api4Client(api_url, api_key, site_key=site_key, timeout=settings.api_timeout)
        return cls(client, domain_id=settings.domain_id)

    def close(self) -> None:
        self.api.close()

    # -- site ----------------------------------------------------------------------------

    def _domain_row(self) -> dict[str, Any]:
        rows = self.api.values("Domain", "get", {
            "select": ["id", "name", "description", "version", "contact_id"],
            "where": [["id", "=", self.domain_id]],
        })
        if not rows:
            raise CiviCRMNotFound(
                f"domain {self.domain_id} does not exist; check CIVISMS_DOMAIN_ID"
            )
        return rows[0]

    def civicrm_version(self) -> str | None:
        return self._domain_row().get("version")

    def active_jobs(self) -> list[str]:
        """Active scheduled jobs of the domain: API v4 ``Job.get`` (recording
        ``Job.get.process_sms``)."""
        rows = self.api.get_all("Job", {
            "select": ["api_entity", "api_action"], "orderBy": {"id": "ASC"},
            "where": [["is_active", "=", True], ["domain_id", "=", self.domain_id]]})
        return [f"{r['api_entity']}.{r['api_action']}".lower() for r in rows]

    def extension(self, key: str) -> ExtensionState | None:
        """API v4 ``Extension.get``: status and version from the site's extension manager."""
        rows = self.api.values("Extension", "get", {
            "select": ["key", "status", "version"], "where": [["key", "=", key]]})
        if not rows:
            return ExtensionState(key, "not installed")
        status = {"installed": "enabled", "disabled": "disabled"}.get(
            str(rows[0].get("status")), "not installed")
        return ExtensionState(key, status, rows[0].get("version"))

    def related_values(self, ids: Sequence[int], paths: Iterable[str]
                       ) -> dict[int, dict[str, Any]]:
        return tokendata_api4.related_values(self.api, ids, paths)

    def custom_fields(self, field_ids: Iterable[int]) -> dict[int, CustomField]:
        return tokendata_api4.custom_fields(self.api, field_ids)

    def custom_values(self, ids: Sequence[int], fields: Sequence[CustomField]
                      ) -> dict[int, dict[int, Any]]:
        return tokendata_api4.custom_values(self.api, ids, fields)

    def setting(self, name: str) -> Any:
        return tokendata_api4.setting(self.api, name, self.domain_id)

    def acting_contact_id(self) -> int | None:
        """The API key's own contact: API v4 resolves ``user_contact_id`` to the logged-in
        user (recording ``Contact.get.user_contact_id``), as CiviCRM's screens record it."""
        if self._acting is None:
            rows = self.api.values("Contact", "get", {
                "select": ["id"], "where": [["id", "=", "user_contact_id"]], "limit": 1})
            self._acting = int(rows[0]["id"]) if rows else 0
        return self._acting or self.domain().contact_id

    def domain(self) -> Domain:
        row = self._domain_row()
        contact_id = row.get("contact_id")
        email = phone = None
        if contact_id:
            # Domain has no email/phone fields (recording Domain.get.current): they are
            # the domain contact's, primary first.
            email = self._first("Email", "email", contact_id)
            phone = self._first("Phone", "phone", contact_id)
        return Domain(id=row["id"], name=row["name"], version=row.get("version"),
                      contact_id=contact_id, email=email, phone=phone,
                      description=row.get("description"))

    def _first(self, entity: str, field: str, contact_id: int) -> str | None:
        rows = self.api.values(entity, "get", {
            "select": [field], "where": [["contact_id", "=", contact_id]],
            "orderBy": {"is_primary": "DESC", "id": "ASC"}, "limit": 1,
        })
        return rows[0][field] if rows else None

    def _option_rows(self, group: str) -> list[dict[str, Any]]:
        if group not in self._options:
            rows = self.api.values("OptionValue", "get", {
                "select": _OPTION_SELECT,
                "where": [["option_group_id:name", "=", group]],
                "orderBy": {"weight": "ASC"},
            })
            # Active values first, newest first: a site's replacement of a reserved value
            # wins over an inactive duplicate (the db backend's order).
            rows.sort(key=lambda r: (not r.get("is_active"), -int(r["id"])))
            self._options[group] = rows
        return self._options[group]

    def option_values(self, group: str) -> dict[str, int]:
        values: dict[str, int] = {}
        for row in self._option_rows(group):
            name, value = row.get("name"), str(row.get("value"))
            if name is not None and name not in values and value.lstrip("-").isdigit():
                values[name] = int(value)
        return values

    def option_labels(self, group: str) -> dict[str, str]:
        labels: dict[str, str] = {}
        for row in self._option_rows(group):
            labels.setdefault(str(row.get("value")), row.get("label"))
        return labels

    def option_name_labels(self, group: str) -> dict[str, str]:
        labels: dict[str, str] = {}
        for row in self._option_rows(group):
            labels.setdefault(str(row.get("name")), row.get("label"))
        return labels

    # -- contacts ------------------------------------------------------------------------

    def contacts(
        self, ids: Sequence[int], fields: Iterable[str] = (), *, include_deleted: bool = True,
        phones: bool = True,  # phones come in the same call here: always loaded
    ) -> list[Contact]:
        wanted = list(dict.fromkeys([*BASE_CONTACT_FIELDS, *fields]))
        deleted = ANY_DELETED if include_deleted else NOT_DELETED
        ids = sorted({int(i) for i in ids})
        found: list[Contact] = []
        for part in chunks(ids):
            found.extend(self._contacts_where([["id", "IN", part], deleted], wanted, paged=False))
        return found

    def _contacts_where(
        self, where: list[Any], wanted: list[str], *, paged: bool = True
    ) -> list[Contact]:
        """Contacts matching ``where`` (ordered by id) with their phones and email.

        ``paged=False`` when the where bounds the rows (a chunk of ids): one request.
        """
        params = {"select": wanted, "where": where, "orderBy": {"id": "ASC"}}
        rows = self.api.get_all("Contact", params) if paged else self.api.values(
            "Contact", "get", params)
        if rows:
            # API v4 silently drops unknown select fields (recording
            # Contact.get.invalid_select_field_ignored); the db backend refuses them. It
            # also leaves out another contact type's fields (no first_name on an
            # Organization, Contact.get.related_token_paths): unknown means absent from all.
            seen = {key for row in rows for key in row}
            unknown = [f for f in wanted if f not in seen and f not in TYPE_FIELDS]
            if unknown:
                raise InputError(f"civicrm_contact has no column {unknown[0]!r} on this site")
        phones: dict[int, list[Phone]] = {}
        emails: dict[int, str] = {}
        for part in chunks([r["id"] for r in rows]):
            for p in self.api.get_all("Phone", {
                "select": _PHONE_SELECT, "where": [["contact_id", "IN", part]],
                "orderBy": _PRIMARY_FIRST,
            }):
                phones.setdefault(p["contact_id"], []).append(_phone(p))
            for e in self.api.get_all("Email", {
                "select": ["contact_id", "email"], "where": [["contact_id", "IN", part]],
                "orderBy": _PRIMARY_FIRST,
            }):
                emails.setdefault(e["contact_id"], e["email"])
        return [_contact(r, wanted, phones.get(r["id"], []), emails.get(r["id"])) for r in rows]

    def group_contact_ids(self, group_id: int) -> list[int]:
        # The `groups` filter counts static members with status Added plus the
        # smart/parent group cache (COMPAT §7.6; recording Contact.get.where_groups_field).
        rows = self.api.get_all("Contact", {
            "select": ["id"],
            "where": [["groups", "IN", [int(group_id)]], ANY_DELETED],
            "orderBy": {"id": "ASC"},
        })
        return [int(r["id"]) for r in rows]

    def find_contacts(self, text: str) -> list[Contact]:
        text = text.strip()
        by_email = sorted({int(r["contact_id"]) for r in self.api.get_all("Email", {
            "select": ["contact_id"], "where": [["email", "=", text]],
            "orderBy": {"id": "ASC"},
        }) if r.get("contact_id")})
        match: list[Any] = [["display_name", "=", text]]
        for part in chunks(by_email):
            match.append(["id", "IN", part])
        where = [NOT_DELETED, ["OR", match]] if len(match) > 1 else [NOT_DELETED, match[0]]
        return self._contacts_where(where, list(BASE_CONTACT_FIELDS))

    # -- groups, templates, providers, campaigns -----------------------------------------

    def groups(self) -> list[Group]:
        rows = self.api.get_all("Group", {
            "select": ["id", "name", "title", "is_active", "saved_search_id",
                       "group_type:name", "parents"],
            "orderBy": {"title": "ASC", "id": "ASC"},
        })
        return [
            Group(
                id=r["id"], name=r.get("name"), title=r.get("title") or "",
                is_active=bool(r.get("is_active")),
                is_smart=r.get("saved_search_id") is not None,
                group_types=tuple(t for t in r.get("group_type:name") or () if t),
                parents=tuple(int(p) for p in r.get("parents") or () if str(p).isdigit()),
            )
            for r in rows
        ]

    def sms_templates(self, *, include_inactive: bool = False) -> list[MessageTemplate]:
        # CiviCRM's own SMS pick-list (COMPAT §5): is_sms, no workflow, active.
        where: list[Any] = [
            ["is_sms", "=", True], ["workflow_name", "IS NULL"], ["workflow_id", "IS NULL"],
        ]
        if not include_inactive:
            where.append(["is_active", "=", True])
        rows = self.api.get_all("MessageTemplate", {
            "select": _TEMPLATE_SELECT, "where": where,
            "orderBy": {"msg_title": "ASC", "id": "ASC"},
        })
        return [_template(r) for r in rows]

    def _template(self, template_id: int) -> MessageTemplate:
        rows = self.api.values("MessageTemplate", "get", {
            "select": _TEMPLATE_SELECT,
            "where": [["id", "=", int(template_id)], ["is_sms", "=", True]],
        })
        if not rows:
            raise CiviCRMNotFound(f"no SMS template with id {template_id}")
        return _template(rows[0])

    def save_sms_template(self, title: str, text: str) -> MessageTemplate:
        # What the Send SMS form's "Save As New Template" sends (recording
        # MessageTemplate.save.save_as_new_like_sms_form); the answer echoes the row.
        rows = self.api.values("MessageTemplate", "save", {"records": [
            {"msg_title": title, "msg_text": text, "is_active": True, "is_sms": True},
        ]})
        return _template(rows[0])

    def update_sms_template(self, template_id: int, text: str) -> MessageTemplate:
        updated = self.api.values("MessageTemplate", "update", {
            "where": [["id", "=", int(template_id)], ["is_sms", "=", True]],
            "values": {"msg_text": text, "is_active": True, "is_sms": True},
        })
        if not updated:
            raise CiviCRMNotFound(f"no SMS template with id {template_id}")
        return self._template(template_id)  # update echoes only what it wrote

    def save_sms_provider(self, row: SmsProvider) -> int:
        """API v4 ``SmsProvider.save`` (needs 'administer CiviCRM')."""
        record: dict[str, Any] = {
            "name": row.name, "title": row.title, "username": row.username,
            "password": row.password, "api_type:name": row.api_type or "http",
            "api_url": row.api_url, "api_params": row.api_params_raw or "",
            "is_default": row.is_default, "is_active": row.is_active,
            "domain_id": self.domain_id,
        }
        if row.id:
            record["id"] = row.id
        saved = self.api.values("SmsProvider", "save", {"records": [record]})
        return int(saved[0]["id"])

    def sms_providers(self, *, include_inactive: bool = True) -> list[SmsProvider]:
        where: list[Any] = [
            ["OR", [["domain_id", "=", self.domain_id], ["domain_id", "IS NULL"]]],
        ]
        if not include_inactive:
            where.append(["is_active", "=", True])
        rows = self.api.get_all("SmsProvider", {
            "select": _PROVIDER_SELECT, "where": where,
            "orderBy": {"is_default": "DESC", "id": "ASC"},
        })
        return [_provider(r) for r in rows]

    def campaigns(self) -> list[Campaign]:
        try:
            rows = self.api.get_all("Campaign", {
                "select": ["id", "name", "title"], "orderBy": {"id": "ASC"},
            })
        except CiviCRMAPIError as exc:
            # Without the CiviCampaign extension the entity does not exist, and no
            # campaign can be chosen: the same as a site without campaigns.
            if "does not exist" in str(exc):
                return []
            raise
        return [Campaign(r["id"], r.get("name"), r.get("title")) for r in rows]

    # -- writing -------------------------------------------------------------------------

    def create_activity(self, activity: Activity) -> int:
        rows = self.api.values("Activity", "create", {"values": self._activity_values(activity)})
        return int(rows[0]["id"])

    def create_activities(self, activities: Sequence[Activity]) -> list[int]:
        """One ``Activity.save`` per ``SAVE_CHUNK`` activities (same BAO path as create)."""
        ids: list[int] = []
        for start in range(0, len(activities), SAVE_CHUNK):
            part = activities[start : start + SAVE_CHUNK]
            records = [self._activity_values(a) for a in part]
            rows = self.api.values("Activity", "save", {"records": records})
            ids.extend(int(r["id"]) for r in rows)
        return ids

    def add_activity_targets(self, activity_id: int, contact_ids: Sequence[int]) -> None:
        wanted = [int(c) for c in dict.fromkeys(contact_ids)]
        target = RECORD_TYPES["target"]
        existing: set[int] = set()
        for part in chunks(wanted):
            existing.update(int(r["contact_id"]) for r in self.api.get_all("ActivityContact", {
                "select": ["contact_id"],
                "where": [["activity_id", "=", int(activity_id)],
                          ["record_type_id:name", "=", target], ["contact_id", "IN", part]],
                "orderBy": {"id": "ASC"},
            }))
        # The unique key (contact, activity, record type) would make a duplicate fail.
        missing = [c for c in wanted if c not in existing]
        for start in range(0, len(missing), SAVE_CHUNK):
            records = [
                {"activity_id": int(activity_id), "contact_id": c, "record_type_id:name": target}
                for c in missing[start : start + SAVE_CHUNK]
            ]
            self.api.values("ActivityContact", "save", {"records": records})

    def _activity_values(self, a: Activity) -> dict[str, Any]:
        """The ``values`` of an Activity.create (recording Activity.create.sms_with_targets)."""
        # Checked here so that an unknown name fails as in the db backend; CiviCRM itself
        # would only say "Mandatory values missing ... activity_type_id".
        self.option_value("activity_type", a.activity_type)
        self.option_value("activity_status", a.status)
        values: dict[str, Any] = {
            "activity_type_id:name": a.activity_type,
            "source_contact_id": a.source_contact_id,
            "target_contact_id": [int(c) for c in dict.fromkeys(a.targets)] or None,
            "subject": a.subject,
            "details": a.details,
            "status_id:name": a.status,
            "phone_number": a.phone_number,
            "campaign_id": a.campaign_id,
            "activity_date_time": _site_datetime(a.activity_date_time),
            "result": a.result,
            "location": a.location,
            "source_record_id": a.source_record_id,
            "parent_id": a.parent_id,
        }
        return {k: v for k, v in values.items() if v is not None}


def _unsupported(op: str) -> NoReturn:
    """Refuse an operation API v4 has no write path for (COMPAT §9.12), naming the way out."""
    raise NotSupportedByBackend(
        f"{op} is not possible through CiviCRM's API v4 (it has no write path for it); "
        "use CIVISMS_BACKEND=db for this operation"
    )


def _site_datetime(value: datetime | None) -> str | None:
    """``YYYY-MM-DD HH:MM:SS`` as CiviCRM stores it: the site's local wall-clock time.

    ``None`` stays ``None``: the column default (the server's now) applies, which is the
    site's clock rather than ours.
    """
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _phone(p: dict[str, Any]) -> Phone:
    return Phone(
        id=p["id"], contact_id=p["contact_id"], phone=p.get("phone") or "",
        phone_numeric=p.get("phone_numeric"), phone_type=p.get("phone_type_id:name"),
        is_primary=bool(p.get("is_primary")), location_type_id=p.get("location_type_id"),
    )


def _contact(
    row: dict[str, Any], wanted: list[str], phones: list[Phone], email: str | None
) -> Contact:
    return Contact(
        id=row["id"], contact_type=row.get("contact_type"), display_name=row.get("display_name"),
        do_not_sms=bool(row.get("do_not_sms")), is_opt_out=bool(row.get("is_opt_out")),
        is_deceased=bool(row.get("is_deceased")), is_deleted=bool(row.get("is_deleted")),
        phones=tuple(phones), fields={f: row.get(f) for f in wanted}, email=email,
    )


def _template(row: dict[str, Any]) -> MessageTemplate:
    return MessageTemplate(
        id=row["id"], title=row.get("msg_title") or "", text=row.get("msg_text") or "",
        is_active=bool(row.get("is_active")),
    )


def _provider(r: dict[str, Any]) -> SmsProvider:
    return SmsProvider(
        id=r["id"], name=r.get("name") or "", title=r.get("title") or "",
        username=r.get("username"), password=r.get("password"),
        api_type=r.get("api_type:name"), api_url=r.get("api_url"),
        api_params=parse_api_params(r.get("api_params")), api_params_raw=r.get("api_params"),
        is_active=bool(r.get("is_active")), is_default=bool(r.get("is_default")),
        domain_id=r.get("domain_id"),
    )
