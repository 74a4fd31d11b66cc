"""Mass SMS rows on the db backend, written as CiviCRM's SMS wizard writes them.

``civicrm_mailing`` (defaults of ``CRM_Mailing_BAO_Mailing::create``: default components,
tracking settings, the domain's from address, a 16-hex hash), ``civicrm_mailing_group``,
``civicrm_mailing_recipients`` (``mailing_recipients``) and, at submit, the parent
``civicrm_mailing_job`` (``doSubmitActions``). Version-dependent columns (``status``,
``start_date``, ``end_date``: 5.76+) are detected, never assumed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any, Protocol

from civisms.civicrm.dbconn import Database
from civisms.civicrm.mailing_model import (
    CANCELED,
    DRAFT,
    PAUSED,
    SCHEDULED,
    Mailing,
    MailingCounts,
    MailingDraft,
    MailingGroups,
)
from civisms.civicrm.mailing_recipients import RecipientBuilder, RecipientReport, lock_name, q
from civisms.civicrm.queries import placeholders, query
from civisms.errors import CiviCRMNotFound, ConflictError
from civisms.sql import sql_path

#: Mailing settings and their defaults (ext/civi_mail/settings/Mailing.setting.php).
SETTING_DEFAULTS = {
    "open_tracking_default": True, "dedupe_email_default": True,
    "track_civimail_replies": False, "civimail_workflow": False,
}
#: Component type → civicrm_mailing column (header/footer stay NULL for SMS).
COMPONENTS = {"Reply": "reply_id", "Unsubscribe": "unsubscribe_id",
              "Resubscribe": "resubscribe_id", "OptOut": "optout_id"}
#: What CRM_Core_BAO_Domain::getNameAndEmail answers when no from address is configured.
NO_FROM_EMAIL = "info@EXAMPLE.ORG"
APPROVED = 1  # mail_approval_status "Approved"


def _now() -> datetime:
    # Site local wall-clock time to the second, as CiviCRM writes date('YmdHis').
    return datetime.now().replace(microsecond=0)


def mailing_hash() -> str:
    """16 hex characters, not all digits (CRM_Contact_BAO_Contact_Utils::generateChecksum)."""
    while True:
        value = secrets.token_hex(8)
        if not value.isdigit():
            return value


class DbMailings:
    """Mass SMS mailings of one CiviCRM database."""

    backend_name = "db"

    def __init__(self, db: Database, *, domain_id: int = 1) -> None:
        self.db = db
        self.domain_id = domain_id
        self._columns: dict[str, frozenset[str]] = {}

    # -- site facts ----------------------------------------------------------------------

    def columns(self, table: str) -> frozenset[str]:
        """Columns ``table`` has on this site (they vary by CiviCRM version)."""
        if table not in self._columns:
            rows = self.db.rows(q("table_columns"), {"table": table})
            self._columns[table] = frozenset(str(r["name"]).lower() for r in rows)
        return self._columns[table]

    def has_status(self) -> bool:
        """``civicrm_mailing.status``/``start_date``/``end_date`` exist (5.76+)."""
        return "status" in self.columns("civicrm_mailing")

    def _settings(self) -> dict[str, bool]:
        names = list(SETTING_DEFAULTS)
        sql = q("settings").format(ids=placeholders(len(names)))
        found: dict[str, bool] = {}
        for row in self.db.rows(sql, [*names, self.domain_id]):  # domain rows first
            found.setdefault(row["name"], _php_bool(row["value"], SETTING_DEFAULTS[row["name"]]))
        return {**SETTING_DEFAULTS, **found}

    def _components(self) -> dict[str, int]:
        rows = self.db.rows(q("default_components"))
        return {COMPONENTS[r["component_type"]]: int(r["id"]) for r in rows
                if r["component_type"] in COMPONENTS}

    def _from_email(self) -> str:
        args = {"domain_id": self.domain_id}
        if self.db.rows(q("table_exists"), {"table": "civicrm_site_email_address"})[0]["n"]:
            rows = self.db.rows(q("site_from_address"), args)
            return rows[0]["email"] if rows else NO_FROM_EMAIL
        rows = self.db.rows(q("option_from_address"), args)
        match = re.search(r"<([^>]+)>", rows[0]["label"]) if rows else None
        return match.group(1) if match else NO_FROM_EMAIL

    def mobile_type(self) -> int:
        """The value of phone type ``Mobile`` on this site."""
        for row in self.db.rows(query("option_values"), {"group": "phone_type"}):
            if row["name"] == "Mobile":
                return int(row["value"])
        raise CiviCRMNotFound("phone type 'Mobile' not found in option group 'phone_type'")

    # -- drafts --------------------------------------------------------------------------

    def create(self, draft: MailingDraft) -> int:
        """Insert the mailing and its groups as the wizard's Group + Upload steps do."""
        settings = self._settings()
        email = self._from_email()
        values: dict[str, Any] = {
            "domain_id": self.domain_id, "name": draft.name, "mailing_type": "standalone",
            "from_name": draft.from_name, "from_email": email, "replyto_email": email,
            "template_type": "traditional", "subject": None, "body_text": draft.body_text,
            "url_tracking": 0,  # forced for SMS by CRM_Mailing_BAO_Mailing::create
            "forward_replies": 0, "auto_responder": 0,
            "open_tracking": int(settings["open_tracking_default"]),
            "dedupe_email": int(settings["dedupe_email_default"]),
            "override_verp": int(not settings["track_civimail_replies"]),
            "msg_template_id": draft.msg_template_id, "created_id": draft.created_id,
            "created_date": _now(), "visibility": "Public Pages",
            "campaign_id": draft.campaign_id, "sms_provider_id": draft.provider_id,
            "hash": mailing_hash(), **self._components(),
        }
        values = {k: v for k, v in values.items() if k in self.columns("civicrm_mailing")}
        names = list(values)
        sql = q("insert_mailing").format(
            columns=", ".join(f"`{n}`" for n in names), ids=placeholders(len(names)))
        with self.db.transaction():
            mailing_id = self.db.execute(sql, [values[n] for n in names])
            self._write_groups(mailing_id, draft.groups)
        return mailing_id

    def update(self, mailing_id: int, draft: MailingDraft) -> None:
        """"Continue" a draft: new values, its group rows replaced (the wizard deletes them)."""
        values = {
            "name": draft.name, "sms_provider_id": draft.provider_id,
            "from_name": draft.from_name, "body_text": draft.body_text,
            "msg_template_id": draft.msg_template_id, "campaign_id": draft.campaign_id,
        }
        with self.db.transaction():
            self._lock_draft(mailing_id)
            self._update(mailing_id, values)
            self.db.rowcount(q("delete_mailing_groups"), {"id": mailing_id})
            self._write_groups(mailing_id, draft.groups)

    @contextmanager
    def exclusive(self, mailing_id: int) -> Iterator[None]:
        """Hold the mailing for one civisms command (update, schedule) from its first read to
        its last write; a second command on the same mailing meanwhile is refused at once."""
        lock = {"name": lock_name(self.db.params.database, mailing_id, "change")}
        if self.db.rows(q("mr_lock"), {**lock, "wait": 0})[0]["got"] != 1:
            raise ConflictError(
                f"mailing {mailing_id} is being changed by another civisms command "
                "(update or schedule); run yours again when it has finished")
        try:
            yield
        finally:
            self.db.rows(q("mr_unlock"), lock)

    def _lock_draft(self, mailing_id: int) -> None:
        # Inside the writing transaction: the row stays locked (FOR UPDATE) until commit, so
        # CiviCRM's own screens or another civisms cannot schedule it between check and write.
        rows = self.db.rows(q("lock_mailing"), {"id": mailing_id})
        if not rows:
            raise CiviCRMNotFound(f"no SMS mailing with id {mailing_id}")
        row = rows[0]
        if (row["scheduled_id"] is not None or row["scheduled_date"] is not None
                or row["jobs"] or row.get("status") not in (None, DRAFT)):
            raise ConflictError(
                f"mailing {mailing_id} was scheduled meanwhile by someone else; nothing "
                f"changed (see 'civisms mailing show {mailing_id}')")

    def allow_segments(self, mailing_id: int, max_segments: int, user: int | None) -> None:
        """``resume --max-segments``: ``jobs run`` may send this mailing's messages of up to
        ``max_segments`` segments (civisms_mailing_override, docs/jobs.md)."""
        from civisms.civicrm.jobstore import sql as job_sql

        self.db.execute(job_sql("create_mailing_override"))
        self.db.execute(job_sql("set_segment_override"), {
            "id": mailing_id, "n": max_segments, "now": _now(), "user": user})

    def delete(self, mailing_id: int) -> None:
        """Remove a draft civisms just made (its groups and recipients go with it: FKs)."""
        self.db.rowcount("DELETE FROM civicrm_mailing WHERE id = %(id)s AND scheduled_id IS "
                         "NULL", {"id": mailing_id})

    def _update(self, mailing_id: int, values: dict[str, Any]) -> None:
        values = {k: v for k, v in values.items() if k in self.columns("civicrm_mailing")}
        sets = ", ".join(f"`{k}` = %({k})s" for k in values)
        self.db.rowcount(q("update_mailing").format(columns=sets), {**values, "id": mailing_id})

    def _write_groups(self, mailing_id: int, groups: MailingGroups) -> None:
        rows = groups.rows()
        if rows:
            self.db.insert_rows(q("insert_mailing_groups"),
                                [(mailing_id, *row) for row in rows])

    # -- reading -------------------------------------------------------------------------

    def get(self, mailing_id: int) -> Mailing:
        """One SMS mailing with its groups; ``CiviCRMNotFound`` otherwise."""
        rows = self.db.rows(q("mailing"), {"id": mailing_id})
        if not rows or rows[0]["sms_provider_id"] is None:
            raise CiviCRMNotFound(f"no SMS mailing with id {mailing_id}")
        groups = MailingGroups.from_rows([
            (r["group_type"] or "", r["entity_table"], r["entity_id"])
            for r in self.db.rows(q("mailing_groups"), {"id": mailing_id})
        ])
        return _mailing(rows[0], groups)

    def list(self) -> list[Mailing]:
        """Every SMS mailing of the domain, newest first (without groups)."""
        return [_mailing(r) for r in self.db.rows(q("list_mailings"),
                                                   {"domain_id": self.domain_id})]

    def sms_mailing_ids(self, ids: Sequence[int]) -> set[int]:
        """Which of ``ids`` are SMS mailings (for include/exclude mailing choices)."""
        if not ids:
            return set()
        rows = self.db.rows(q("completed_sms_mailings").format(ids=placeholders(len(ids))),
                            list(ids))
        return {int(r["id"]) for r in rows}

    def recipient_rows(self, mailing_id: int) -> list[tuple[int, int | None]]:
        """``(contact_id, phone_id)`` of the mailing's recipient snapshot, in order."""
        return [(int(r["contact_id"]), r["phone_id"])
                for r in self.db.rows(q("recipient_rows"), {"id": mailing_id})]

    # -- recipients ----------------------------------------------------------------------

    def compute_recipients(
        self, mailing_id: int, groups: MailingGroups, *, region: str | None,
        dedupe_numbers: bool = True,
    ) -> RecipientReport:
        """Recompute ``civicrm_mailing_recipients`` (COMPAT §3.3 plus civisms' checks)."""
        builder = RecipientBuilder(self.db, self.mobile_type())
        return builder.build(mailing_id, groups, region=region, dedupe_numbers=dedupe_numbers)

    # -- scheduling ----------------------------------------------------------------------

    def submit(self, mailing_id: int, scheduled_date: datetime, user_id: int | None) -> int:
        """"Submit Mass SMS": schedule the mailing and create its parent job."""
        settings = self._settings()
        values: dict[str, Any] = {"scheduled_date": scheduled_date, "scheduled_id": user_id}
        if not settings["civimail_workflow"]:
            values.update(approver_id=user_id, approval_date=_now(),
                          approval_status_id=APPROVED)
        if self.has_status():
            values["status"] = SCHEDULED
        with self.db.transaction():
            self._lock_draft(mailing_id)
            self._update(mailing_id, values)
            return self.db.execute(q("insert_parent_job"),
                                   {"id": mailing_id, "scheduled_date": scheduled_date})

    def cancel(self, mailing_id: int) -> bool:
        """CRM_Mailing_BAO_MailingJob::cancel; False when there was nothing to cancel."""
        job = self.db.rows(q("parent_job"), {"id": mailing_id})
        if not job or job[0]["status"] not in (SCHEDULED, "Running", PAUSED):
            return False
        now = _now()
        with self.db.transaction():
            self.db.rowcount(q("cancel_parent_job"), {"job_id": job[0]["id"], "now": now})
            if self.has_status():
                self._update(mailing_id, {"status": CANCELED, "end_date": now})
            self.db.rowcount(q("cancel_child_jobs"), {"job_id": job[0]["id"], "now": now})
        return True

    def pause(self, mailing_id: int) -> int:
        """CRM_Mailing_BAO_MailingJob::pause: jobs paused (count returned), mailing Paused."""
        with self.db.transaction():
            if self.has_status():
                self._update(mailing_id, {"status": PAUSED})
            return self.db.rowcount(q("pause_jobs"), {"id": mailing_id})

    def resume(self, mailing_id: int) -> int:
        """CRM_Mailing_BAO_MailingJob::resume: unstarted jobs Scheduled, started Running.

        The mailing row goes back to the parent job's status (Scheduled before it started),
        as CiviCRM 6.x's resume sets it; the jobs keep the 5.x rule (a started job is
        Running), so a job half sent is never split into child jobs again (docs/civicrm-parity.md).
        """
        with self.db.transaction():
            n = self.db.rowcount(q("resume_unstarted_jobs"), {"id": mailing_id})
            n += self.db.rowcount(q("resume_started_jobs"), {"id": mailing_id})
            if n and self.has_status():
                job = self.db.rows(q("parent_job"), {"id": mailing_id})
                status = job[0]["status"] if job else SCHEDULED
                self._update(mailing_id, {"status": status})
            return n

    # -- progress ------------------------------------------------------------------------

    def pause_reason(self, mailing_id: int) -> tuple[str, datetime | None] | None:
        """Why civisms' job runner paused the mailing, and when (None: it never did)."""
        if not self.db.rows(q("table_exists"), {"table": "civisms_mailing_pause"})[0]["n"]:
            return None
        rows = self.db.rows(q("pause_reason"), {"id": mailing_id})
        return (str(rows[0]["reason"]), rows[0]["paused_at"]) if rows else None

    def counts(self, mailing_id: int) -> MailingCounts:
        """Queue, delivered and bounce rows, plus civisms' own state when recorded."""
        row = self.db.rows(q("queue_counts"), {"id": mailing_id})[0]
        failures = {r["reason"] or "bounced": int(r["n"])
                    for r in self.db.rows(q("bounce_reasons"), {"id": mailing_id})}
        failed, unknown, delivered = int(row["bounced"] or 0), 0, None
        if self.db.rows(q("table_exists"), {"table": "civisms_queue_state"})[0]["n"]:
            for r in self.db.rows(q("civisms_states"), {"id": mailing_id}):
                n = int(r["n"])
                if r["state"] == "failed":
                    failed += n
                    key = r["error"] or "failed"
                    failures[key] = failures.get(key, 0) + n
                elif r["state"] in ("sending", "unknown"):
                    unknown += n
        sent = int(row["delivered"] or 0)
        undelivered = awaiting = None
        if self.db.rows(q("table_exists"), {"table": "civisms_receipt"})[0]["n"]:
            by_status = {r["status"]: int(r["n"]) for r in self.db.rows(
                query("receipt_counts", sql_path("webhook_queries.sql")), {"id": mailing_id})}
            delivered = by_status.get("delivered", 0)
            undelivered = by_status.get("undelivered", 0) + by_status.get("failed", 0)
            awaiting = max(sent - delivered - undelivered, 0)
        return MailingCounts(
            queued=int(row["queued"] or 0), sent=sent, delivered=delivered,
            undelivered=undelivered, awaiting=awaiting, failed=failed, unknown=unknown,
            failures=failures,
        )


def _php_bool(value: str | None, default: bool) -> bool:
    """A PHP-serialized setting (``i:1;``, ``b:0;``, ``s:1:"1";``) as a bool."""
    if value is None:
        return default
    match = re.fullmatch(r'[ib]:(-?\d+);|s:\d+:"(.*)";', value.strip(), re.DOTALL)
    if not match:
        return default
    text = match.group(1) if match.group(1) is not None else match.group(2)
    return text not in ("", "0")


def _mailing(row: dict[str, Any], groups: MailingGroups | None = None) -> Mailing:
    return Mailing(
        id=int(row["id"]), name=row.get("name") or "",
        status=row.get("job_status") or DRAFT,
        sms_provider_id=row.get("sms_provider_id"), body_text=row.get("body_text"),
        msg_template_id=row.get("msg_template_id"), campaign_id=row.get("campaign_id"),
        from_name=row.get("from_name"), created_id=row.get("created_id"),
        created_date=row.get("created_date"), scheduled_id=row.get("scheduled_id"),
        scheduled_date=row.get("scheduled_date"), start_date=row.get("start_date"),
        end_date=row.get("end_date"), is_completed=bool(row.get("is_completed")),
        recipients=int(row.get("recipient_count") or 0),
        groups=groups or MailingGroups(),
    )


class MailingStore(Protocol):
    """What the lifecycle (``civisms.sending.mailing``) needs from a backend."""

    backend_name: str

    def create(self, draft: MailingDraft) -> int: ...
    def update(self, mailing_id: int, draft: MailingDraft) -> None: ...
    def delete(self, mailing_id: int) -> None: ...
    def allow_segments(self, mailing_id: int, max_segments: int, user: int | None) -> None: ...
    def exclusive(self, mailing_id: int) -> AbstractContextManager[None]: ...
    def get(self, mailing_id: int) -> Mailing: ...
    def list(self) -> list[Mailing]: ...
    def sms_mailing_ids(self, ids: Sequence[int]) -> set[int]: ...
    def recipient_rows(self, mailing_id: int) -> list[tuple[int, int | None]]: ...
    def compute_recipients(self, mailing_id: int, groups: MailingGroups, *,
                           region: str | None, dedupe_numbers: bool = True
                           ) -> RecipientReport: ...
    def submit(self, mailing_id: int, scheduled_date: datetime, user_id: int | None) -> int: ...
    def cancel(self, mailing_id: int) -> bool: ...
    def pause(self, mailing_id: int) -> int: ...
    def resume(self, mailing_id: int) -> int: ...
    def counts(self, mailing_id: int) -> MailingCounts: ...


def mailings_for(civicrm: Any) -> MailingStore:
    """The mailing store of a connected backend (``DbCiviCRM`` or ``Api4CiviCRM``)."""
    if getattr(civicrm, "backend_name", None) == "api4":
        from civisms.civicrm.mailings_api4 import Api4Mailings

        return Api4Mailings(civicrm)
    return DbMailings(civicrm.db, domain_id=civicrm.domain_id)
