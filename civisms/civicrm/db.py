"""The ``db`` backend: CiviCRM's own MySQL/MariaDB tables, through named SQL queries."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from civisms.civicrm import tokendata
from civisms.civicrm.base import BASE_CONTACT_FIELDS, RECORD_TYPES, CiviCRM
from civisms.civicrm.changelog import log_activities
from civisms.civicrm.dbconn import Database
from civisms.civicrm.params import parse_api_params
from civisms.civicrm.queries import column_list, query
from civisms.civicrm.webhooks_db import DbWebhooks
from civisms.dbparams import DbParams
from civisms.errors import CiviCRMNotFound, InputError
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

if TYPE_CHECKING:
    from civisms.config import Settings

#: Ids per ``IN (...)`` list: large enough for few round trips, small enough for any server.
CHUNK = 1000
_BOOKEND = "\x01"


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    """``ids`` in slices of at most ``size``."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class DbCiviCRM(DbWebhooks, CiviCRM):
    """CiviCRM read and written straight in its database."""

    backend_name = "db"

    def __init__(self, params: DbParams, *, domain_id: int = 1) -> None:
        self.db = Database(params)
        self.domain_id = domain_id
        self._options: dict[str, list[dict[str, Any]]] = {}
        self._contact_columns: frozenset[str] | None = None
        self._consecutive_ids: bool | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> DbCiviCRM:
        return cls(settings.db_params(), domain_id=settings.domain_id)

    def close(self) -> None:
        self.db.close()

    # -- site ----------------------------------------------------------------------------

    def civicrm_version(self) -> str | None:
        return self.domain().version

    def domain(self) -> Domain:
        rows = self.db.rows(query("domain"), {"domain_id": self.domain_id})
        if not rows:
            raise CiviCRMNotFound(
                f"domain {self.domain_id} does not exist; check CIVISMS_DOMAIN_ID"
            )
        row = rows[0]
        return Domain(
            id=row["id"], name=row["name"], version=row["version"],
            contact_id=row["contact_id"], email=row["email"], phone=row["phone"],
            description=row["description"],
        )

    def related_values(self, ids: Sequence[int], paths: Iterable[str]
                       ) -> dict[int, dict[str, Any]]:
        return tokendata.related_values(self.db, ids, paths)

    def custom_fields(self, field_ids: Iterable[int]) -> dict[int, CustomField]:
        return tokendata.custom_fields(self.db, field_ids)

    def custom_values(self, ids: Sequence[int], fields: Sequence[CustomField]
                      ) -> dict[int, dict[int, Any]]:
        return tokendata.custom_values(self.db, ids, fields)

    def setting(self, name: str) -> Any:
        return tokendata.setting(self.db, name, self.domain_id)

    def enabled_components(self) -> list[str] | None:
        rows = self.db.rows(query("enabled_components"), {"domain_id": self.domain_id})
        if not rows or rows[0]["value"] is None:
            return None
        # The setting is PHP-serialized: a:2:{i:0;s:8:"CiviMail";i:1;s:11:"CiviCampaign";}
        return re.findall(r's:\d+:"([^"]*)"', rows[0]["value"])

    def active_jobs(self) -> list[str]:
        return [
            f"{r['api_entity']}.{r['api_action']}".lower()
            for r in self.db.rows(query("active_jobs"), {"domain_id": self.domain_id})
        ]

    def extension(self, key: str) -> ExtensionState | None:
        # civicrm_extension is in every real CiviCRM; a bare schema without it cannot tell.
        if not self.db.rows(query("extension_table"))[0]["n"]:
            return None
        rows = self.db.rows(query("extension"), {"key": key})
        if not rows:
            return ExtensionState(key, "not installed")
        return ExtensionState(key, "enabled" if rows[0]["is_active"] else "disabled")

    def _option_rows(self, group: str) -> list[dict[str, Any]]:
        if group not in self._options:
            self._options[group] = self.db.rows(query("option_values"), {"group": group})
        return self._options[group]

    def option_values(self, group: str) -> dict[str, int]:
        values: dict[str, int] = {}
        for row in self._option_rows(group):
            name, value = row["name"], row["value"]
            if name is not None and name not in values and str(value).lstrip("-").isdigit():
                values[name] = int(value)
        return values

    def option_labels(self, group: str) -> dict[str, str]:
        labels: dict[str, str] = {}
        for row in self._option_rows(group):
            labels.setdefault(str(row["value"]), row["label"])
        return labels

    def _option_names(self, group: str) -> dict[int, str]:
        return {value: name for name, value in self.option_values(group).items()}

    def option_name_labels(self, group: str) -> dict[str, str]:
        labels: dict[str, str] = {}
        for row in self._option_rows(group):
            labels.setdefault(str(row["name"]), row["label"])
        return labels

    # -- contacts ------------------------------------------------------------------------

    def contact_columns(self) -> frozenset[str]:
        """The columns ``civicrm_contact`` has on this site (they vary by version)."""
        if self._contact_columns is None:
            rows = self.db.rows(query("contact_columns"))
            self._contact_columns = frozenset(str(r["name"]).lower() for r in rows)
        return self._contact_columns

    def contacts(
        self, ids: Sequence[int], fields: Iterable[str] = (), *, include_deleted: bool = True,
        phones: bool = True,
    ) -> list[Contact]:
        wanted = list(dict.fromkeys([*BASE_CONTACT_FIELDS, *fields]))
        unknown = [f for f in wanted if f.lower() not in self.contact_columns()]
        if unknown:
            raise InputError(
                f"civicrm_contact has no column {unknown[0]!r} on this site"
            )
        ids = sorted({int(i) for i in ids})
        phone_types = self._option_names("phone_type")
        contacts: list[Contact] = []
        for part in chunks(ids):
            # Integers written into the SQL: MySQLdb quoting each of thousands of ids
            # cost a quarter of this look-up.
            marks = ", ".join(map(str, part))
            sql = query("contacts_by_ids").format(columns=column_list(wanted), ids=marks)
            rows = self.db.rows(sql)
            by_contact: dict[int, list[Phone]] = {}
            for p in (self.db.rows(query("phones_by_contacts").format(ids=marks))
                      if phones else ()):
                by_contact.setdefault(p["contact_id"], []).append(
                    Phone(
                        id=p["id"], contact_id=p["contact_id"], phone=p["phone"] or "",
                        phone_numeric=p["phone_numeric"],
                        phone_type=phone_types.get(p["phone_type_id"]),
                        is_primary=bool(p["is_primary"]), location_type_id=p["location_type_id"],
                    )
                )
            emails: dict[int, str] = {}
            for e in (self.db.rows(query("primary_emails").format(ids=marks))
                      if phones else ()):
                emails.setdefault(e["contact_id"], e["email"])
            for row in rows:
                if not include_deleted and row["is_deleted"]:
                    continue
                contacts.append(
                    _contact(row, by_contact.get(row["id"], []), emails.get(row["id"])))
        return contacts

    def group_contact_ids(self, group_id: int) -> list[int]:
        rows = self.db.rows(query("group_members"), {"group_id": group_id})
        return [int(r["contact_id"]) for r in rows]

    def find_contacts(self, text: str) -> list[Contact]:
        rows = self.db.rows(query("find_contacts"), {"text": text.strip()})
        return self.contacts([r["id"] for r in rows])

    # -- groups, templates, providers, campaigns -----------------------------------------

    def groups(self) -> list[Group]:
        type_names = {str(v): n for n, v in self.option_values("group_type").items()}
        groups = []
        for row in self.db.rows(query("groups")):
            types = [type_names.get(t, t) for t in (row["group_type"] or "").split(_BOOKEND) if t]
            parents = [int(p) for p in (row["parents"] or "").split(",") if p.strip().isdigit()]
            groups.append(
                Group(
                    id=row["id"], name=row["name"], title=row["title"],
                    is_active=bool(row["is_active"]), is_smart=row["saved_search_id"] is not None,
                    group_types=tuple(types), parents=tuple(parents),
                )
            )
        return groups

    def sms_templates(self, *, include_inactive: bool = False) -> list[MessageTemplate]:
        rows = self.db.rows(query("sms_templates"), {"include_inactive": int(include_inactive)})
        return [_template(r) for r in rows]

    def _template(self, template_id: int) -> MessageTemplate:
        rows = self.db.rows(query("sms_template"), {"id": template_id})
        if not rows:
            raise CiviCRMNotFound(f"no SMS template with id {template_id}")
        return _template(rows[0])

    def save_sms_template(self, title: str, text: str) -> MessageTemplate:
        new_id = self.db.execute(query("insert_sms_template"), {"title": title, "text": text})
        return self._template(new_id)

    def update_sms_template(self, template_id: int, text: str) -> MessageTemplate:
        if not self.db.rowcount(query("update_sms_template"), {"id": template_id, "text": text}):
            self._template(template_id)  # raises when missing; else the text was unchanged
        return self._template(template_id)

    def save_sms_provider(self, row: SmsProvider) -> int:
        values = {
            "name": row.name, "title": row.title, "username": row.username,
            "password": row.password, "api_url": row.api_url,
            "api_type": self.option_value("sms_api_type", row.api_type or "http"),
            "api_params": row.api_params_raw or "", "is_default": int(row.is_default),
            "is_active": int(row.is_active), "domain_id": self.domain_id,
        }
        if row.id:
            self.db.rowcount(query("update_sms_provider"), {**values, "id": row.id})
            return row.id
        return self.db.execute(query("insert_sms_provider"), values)

    def sms_providers(self, *, include_inactive: bool = True) -> list[SmsProvider]:
        api_types = self._option_names("sms_api_type")
        rows = self.db.rows(
            query("sms_providers"),
            {"domain_id": self.domain_id, "include_inactive": int(include_inactive)},
        )
        return [
            SmsProvider(
                id=r["id"], name=r["name"] or "", title=r["title"] or "",
                username=r["username"], password=r["password"],
                api_type=api_types.get(r["api_type"]), api_url=r["api_url"],
                api_params=parse_api_params(r["api_params"]), api_params_raw=r["api_params"],
                is_active=bool(r["is_active"]), is_default=bool(r["is_default"]),
                domain_id=r["domain_id"],
            )
            for r in rows
        ]

    def campaigns(self) -> list[Campaign]:
        return [Campaign(r["id"], r["name"], r["title"]) for r in self.db.rows(query("campaigns"))]

    # -- writing -------------------------------------------------------------------------

    def create_activity(self, activity: Activity) -> int:
        return self.create_activities([activity])[0]

    def create_activities(self, activities: Sequence[Activity]) -> list[int]:
        """Insert activities with one multi-row statement per chunk, then their contacts.

        InnoDB hands a multi-row INSERT consecutive ids unless
        ``innodb_autoinc_lock_mode = 2``; there, rows are inserted one by one.
        """
        if not activities:
            return []
        with self.db.transaction():
            return self._insert_activities(activities)

    def _insert_activities(self, activities: Sequence[Activity]) -> list[int]:
        """``create_activities`` inside a transaction the caller holds."""
        ids = self.insert_activity_rows([self._activity_row(a) for a in activities])
        links: list[tuple[int, int, int]] = []
        source = self.option_value("activity_contacts", RECORD_TYPES["source"])
        target = self.option_value("activity_contacts", RECORD_TYPES["target"])
        for activity_id, activity in zip(ids, activities, strict=True):
            links.append((activity_id, activity.source_contact_id, source))
            links.extend((activity_id, c, target) for c in dict.fromkeys(activity.targets))
        self._insert_links(links)
        log_activities(self.db, [(i, a.source_contact_id, tuple(dict.fromkeys(a.targets)))
                                 for i, a in zip(ids, activities, strict=True)], _now())
        return ids

    def insert_activity_rows(self, rows: Sequence[tuple[Any, ...]]) -> list[int]:
        """Insert ``insert_activities`` rows (queries.sql lists the 12 columns) in the
        caller's transaction; their ids, in order. Multi-row statements when the server
        hands out consecutive ids (``innodb_autoinc_lock_mode`` 0 or 1), one row each
        otherwise (mode 2 may scatter a statement's ids)."""
        template = query("insert_activities")
        if not self._ids_are_consecutive():
            return [self.db.insert_rows(template, [row]) for row in rows]
        ids: list[int] = []
        for start in range(0, len(rows), CHUNK):
            part = rows[start : start + CHUNK]
            first = self.db.insert_rows(template, part)
            ids.extend(range(first, first + len(part)))
        return ids

    def add_activity_targets(self, activity_id: int, contact_ids: Sequence[int]) -> None:
        target = self.option_value("activity_contacts", RECORD_TYPES["target"])
        with self.db.transaction():
            self._insert_links([(activity_id, c, target) for c in dict.fromkeys(contact_ids)])

    def _insert_links(self, links: list[tuple[int, int, int]]) -> None:
        for start in range(0, len(links), CHUNK):
            self.db.insert_rows(query("insert_activity_contacts_checked"),
                                links[start : start + CHUNK])

    def _activity_row(self, a: Activity) -> tuple[Any, ...]:
        priority = self.option_values("priority").get("Normal")
        return (
            self.option_value("activity_type", a.activity_type),
            a.subject,
            a.activity_date_time or _now(),
            a.details,
            self.option_value("activity_status", a.status),
            priority,
            a.result,
            a.location,
            a.campaign_id,
            a.source_record_id,
            a.parent_id,
            a.phone_number,
        )

    def _ids_are_consecutive(self) -> bool:
        if self._consecutive_ids is None:
            mode = self.db.rows(query("autoinc_lock_mode"))[0]["mode"]
            self._consecutive_ids = int(mode) in (0, 1)
        return self._consecutive_ids


def _now() -> datetime:
    # The activity's date in the site's convention: local wall-clock time, to the second,
    # as CiviCRM writes date('YmdHis').
    return datetime.now().replace(microsecond=0)


def _contact(row: dict[str, Any], phones: list[Phone], email: str | None) -> Contact:
    return Contact(
        id=row["id"], contact_type=row["contact_type"], display_name=row["display_name"],
        do_not_sms=bool(row["do_not_sms"]), is_opt_out=bool(row["is_opt_out"]),
        is_deceased=bool(row["is_deceased"]), is_deleted=bool(row["is_deleted"]),
        phones=tuple(phones), fields=dict(row), email=email,
    )


def _template(row: dict[str, Any]) -> MessageTemplate:
    return MessageTemplate(
        id=row["id"], title=row["msg_title"] or "", text=row["msg_text"] or "",
        is_active=bool(row["is_active"]),
    )
