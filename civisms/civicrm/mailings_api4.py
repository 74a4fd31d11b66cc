"""Mass SMS through CiviCRM's REST API: v4 where it can write, v3 where it cannot.

API v4 writes ``Mailing`` and ``MailingGroup`` (as the recording ``Mailing.create.sms_draft``
does) but never schedules: ``MailingJob`` is read-only and ``civicrm_mailing_recipients``
has no v4 entity (COMPAT §3.4, §7.6). So:

* drafts: ``Mailing.create``/``update`` + ``MailingGroup`` rows (v4), then API v3
  ``Mailing.create {id}`` so CiviCRM writes the draft's recipient snapshot as its wizard
  does; the recipient report (skip reasons) is computed here from v4 reads;
* schedule: API v3 ``Mailing.submit`` (``POST {base}/civicrm/ajax/rest``), which runs
  CiviCRM's own ``getRecipients`` and creates the parent job — so on this backend the
  snapshot has CiviCRM's rules only (no E.164 / shared-number checks);
* cancel, pause, resume: API v3 ``MailingJob.create {id, status}`` per job (API v4 refuses
  to write ``MailingJob``) and API v4 ``Mailing.update`` for the mailing's own status, in
  the order CiviCRM's BAO does them; over REST these are separate calls, not one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any

import requests

from civisms.civicrm.api4 import Api4CiviCRM
from civisms.civicrm.mailing_model import (
    CANCELED,
    DRAFT,
    PAUSED,
    RUNNING,
    SCHEDULED,
    Mailing,
    MailingCounts,
    MailingDraft,
    MailingGroups,
)
from civisms.civicrm.mailing_recipients import RecipientReport
from civisms.civicrm.urls import route_url
from civisms.errors import (
    CiviCRMAPIError,
    CiviCRMNotFound,
    CiviCRMUnreachable,
    NotSupportedByBackend,
)
from civisms.recipients import Skipped, SkipReason, best_mobile, check_numbers, exclusion

_MAILING_SELECT = [
    "id", "name", "sms_provider_id", "body_text", "msg_template_id", "campaign_id",
    "from_name", "created_id", "created_date", "scheduled_id", "scheduled_date",
    "is_completed",
]


#: Job statuses a cancel closes (CRM_Mailing_BAO_MailingJob::cancel).
OPEN = (SCHEDULED, RUNNING, PAUSED)


class Api4Mailings:
    """Mass SMS mailings of a site reached over REST."""

    backend_name = "api4"

    def __init__(self, civicrm: Api4CiviCRM) -> None:
        self.civicrm = civicrm
        self.api = civicrm.api

    # -- drafts --------------------------------------------------------------------------

    def create(self, draft: MailingDraft) -> int:
        values = {**self._values(draft), "mailing_type": "standalone",
                  "created_id": draft.created_id,
                  # API v4 would take url_tracking_default; SMS bodies must not be rewritten.
                  "url_tracking": False}
        row = self.api.values("Mailing", "create", {"values": _clean(values)})[0]
        self._write_groups(int(row["id"]), draft.groups)
        return int(row["id"])

    def update(self, mailing_id: int, draft: MailingDraft) -> None:
        self.api.values("Mailing", "update", {"where": [["id", "=", mailing_id]],
                                              "values": self._values(draft)})
        self.api.values("MailingGroup", "delete", {"where": [["mailing_id", "=", mailing_id]]})
        self._write_groups(mailing_id, draft.groups)

    def exclusive(self, mailing_id: int) -> AbstractContextManager[None]:
        """No lock over REST: CiviCRM's API offers none (the db backend holds one)."""
        return nullcontext()

    def allow_segments(self, mailing_id: int, max_segments: int, user: int | None) -> None:
        """The override lives in a civisms table that only the db backend's jobs read."""
        raise NotSupportedByBackend(
            "--max-segments is for mailings that civisms' own job sends (CIVISMS_BACKEND=db)")

    def delete(self, mailing_id: int) -> None:
        """Remove a draft civisms just made (API v4 deletes its groups and recipients)."""
        self.api.values("Mailing", "delete", {"where": [["id", "=", mailing_id],
                                                        ["scheduled_id", "IS NULL"]]})

    @staticmethod
    def _values(draft: MailingDraft) -> dict[str, Any]:
        return {"name": draft.name, "sms_provider_id": draft.provider_id,
                "from_name": draft.from_name, "body_text": draft.body_text,
                "msg_template_id": draft.msg_template_id, "campaign_id": draft.campaign_id}

    def _write_groups(self, mailing_id: int, groups: MailingGroups) -> None:
        records = [{"mailing_id": mailing_id, "group_type": t, "entity_table": table,
                    "entity_id": entity} for t, table, entity in groups.rows()]
        if records:
            self.api.values("MailingGroup", "save", {"records": records})

    # -- reading -------------------------------------------------------------------------

    def get(self, mailing_id: int) -> Mailing:
        rows = self.api.values("Mailing", "get", {
            "select": _MAILING_SELECT, "where": [["id", "=", mailing_id],
                                                 ["sms_provider_id", "IS NOT NULL"]]})
        if not rows:
            raise CiviCRMNotFound(f"no SMS mailing with id {mailing_id}")
        groups = MailingGroups.from_rows([
            (g.get("group_type") or "", g["entity_table"], g["entity_id"])
            for g in self.api.get_all("MailingGroup", {
                "where": [["mailing_id", "=", mailing_id]], "orderBy": {"id": "ASC"}})
        ])
        return self._mailing(rows[0], self._job_statuses([mailing_id]), groups)

    def list(self) -> list[Mailing]:
        rows = self.api.get_all("Mailing", {
            "select": _MAILING_SELECT, "where": [["sms_provider_id", "IS NOT NULL"]],
            "orderBy": {"id": "DESC"}})
        statuses = self._job_statuses([int(r["id"]) for r in rows])
        return [self._mailing(r, statuses) for r in rows]

    def _job_statuses(self, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        jobs = self.api.get_all("MailingJob", {
            "select": ["id", "mailing_id", "status"],
            "where": [["mailing_id", "IN", ids], ["is_test", "=", False],
                      ["parent_id", "IS NULL"]],
            "orderBy": {"id": "DESC"}})
        return {int(j["mailing_id"]): j["status"] for j in jobs}

    def _mailing(self, row: dict[str, Any], statuses: dict[int, str],
                 groups: MailingGroups | None = None) -> Mailing:
        return Mailing(
            id=int(row["id"]), name=row.get("name") or "",
            status=statuses.get(int(row["id"]), DRAFT),
            sms_provider_id=row.get("sms_provider_id"), body_text=row.get("body_text"),
            msg_template_id=row.get("msg_template_id"), campaign_id=row.get("campaign_id"),
            from_name=row.get("from_name"), created_id=row.get("created_id"),
            created_date=_date(row.get("created_date")), scheduled_id=row.get("scheduled_id"),
            scheduled_date=_date(row.get("scheduled_date")), start_date=None, end_date=None,
            is_completed=bool(row.get("is_completed")),
            recipients=len(self.recipient_rows(int(row["id"]))),
            groups=groups or MailingGroups(),
        )

    def sms_mailing_ids(self, ids: Sequence[int]) -> set[int]:
        if not ids:
            return set()
        rows = self.api.values("Mailing", "get", {
            "select": ["id"], "where": [["id", "IN", list(ids)],
                                        ["sms_provider_id", "IS NOT NULL"]]})
        return {int(r["id"]) for r in rows}

    def recipient_rows(self, mailing_id: int) -> list[tuple[int, int | None]]:
        # No API v4 entity: API v3 MailingRecipients.get (COMPAT §7.6).
        values = self._v3("MailingRecipients", "get", {
            "mailing_id": mailing_id, "options": {"limit": 0, "sort": "id ASC"}})
        rows = values.values() if isinstance(values, dict) else values
        return [(int(r["contact_id"]), int(r["phone_id"]) if r.get("phone_id") else None)
                for r in rows]

    # -- recipients ----------------------------------------------------------------------

    def compute_recipients(self, mailing_id: int, groups: MailingGroups, *,
                           region: str | None, dedupe_numbers: bool = True) -> RecipientReport:
        """The report of COMPAT §3.3 from v4 reads; the snapshot is CiviCRM's own.

        API v3 ``Mailing.create {id}`` saves the draft unchanged and runs CiviCRM's
        ``getRecipients`` (recording ``v3.Mailing.create.draft_recipients``), as its wizard
        does on every save: ``recipient_rows`` then reads what CiviCRM will send to.
        """
        self._v3("Mailing", "create", {"id": mailing_id})
        civicrm = self.civicrm
        members = [c for g in groups.include_groups for c in civicrm.group_contact_ids(g)]
        members += [c for m in groups.include_mailings for c, _ in self.recipient_rows(m)]
        excluded = {c for g in groups.exclude_groups for c in civicrm.group_contact_ids(g)}
        excluded |= {c for m in groups.exclude_mailings for c, _ in self.recipient_rows(m)}
        excluded |= self._removed(groups.base_groups)
        skipped: list[Skipped] = []
        rows: list[tuple[int, int | None, str | None]] = []
        for contact in civicrm.contacts(sorted(set(members))):
            reason = (SkipReason.EXCLUDED if contact.id in excluded
                      else exclusion(contact, bulk=True))
            phone = best_mobile(contact) if reason is None else None
            if reason is None and phone is None:
                reason = SkipReason.NO_MOBILE
            if reason is not None:
                skipped.append(Skipped(contact.id, reason))
            else:
                rows.append((contact.id, phone.id, phone.phone))  # type: ignore[union-attr]
        check = check_numbers(rows, region=region, dedupe_numbers=dedupe_numbers)
        skipped = sorted([*skipped, *check.skipped], key=lambda s: s.contact_id)
        return RecipientReport(mailing_id, check.kept, skipped)

    def _removed(self, group_ids: Sequence[int]) -> set[int]:
        if not group_ids:
            return set()
        rows = self.api.get_all("GroupContact", {
            "select": ["contact_id"], "orderBy": {"id": "ASC"},
            "where": [["group_id", "IN", list(group_ids)], ["status", "=", "Removed"]]})
        return {int(r["contact_id"]) for r in rows}

    # -- scheduling ----------------------------------------------------------------------

    def submit(self, mailing_id: int, scheduled_date: datetime, user_id: int | None) -> int:
        """API v3 ``Mailing.submit``: CiviCRM schedules, computes recipients, makes the job."""
        self._v3("Mailing", "submit", {
            "id": mailing_id, "scheduled_date": scheduled_date.strftime("%Y-%m-%d %H:%M:%S"),
            "approval_date": datetime.now().strftime("%Y-%m-%d %H:%M:%S")})
        jobs = self.api.values("MailingJob", "get", {
            "select": ["id"], "where": [["mailing_id", "=", mailing_id], ["parent_id", "IS NULL"],
                                        ["is_test", "=", False]], "orderBy": {"id": "ASC"}})
        return int(jobs[0]["id"]) if jobs else 0

    # -- pause, resume, cancel: API v3 MailingJob.create {id, status} ----------------------

    def cancel(self, mailing_id: int) -> bool:
        """CRM_Mailing_BAO_MailingJob::cancel: the parent and its open children Canceled."""
        jobs = self._jobs(mailing_id)
        parent = next((j for j in jobs if j.get("job_type") != "child"), None)
        if parent is None or parent["status"] not in OPEN:
            return False
        now = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        self._set_job(parent, CANCELED, end_date=now)
        self._set_mailing(mailing_id, {"status": CANCELED, "end_date": now})
        for job in jobs:
            if job.get("job_type") == "child" and job["status"] in OPEN:
                self._set_job(job, CANCELED, end_date=now)
        return True

    def pause(self, mailing_id: int) -> int:
        """CRM_Mailing_BAO_MailingJob::pause: Scheduled and Running jobs Paused, mailing too."""
        jobs = [j for j in self._jobs(mailing_id) if j["status"] in (SCHEDULED, RUNNING)]
        self._set_mailing(mailing_id, {"status": PAUSED})
        for job in jobs:
            self._set_job(job, PAUSED)
        return len(jobs)

    def resume(self, mailing_id: int) -> int:
        """CRM_Mailing_BAO_MailingJob::resume: unstarted jobs Scheduled, started Running;
        the mailing takes its parent job's new status (as ``DbMailings.resume``)."""
        jobs = [j for j in self._jobs(mailing_id) if j["status"] == PAUSED]
        status = SCHEDULED
        for job in jobs:
            new = RUNNING if job.get("start_date") else SCHEDULED
            self._set_job(job, new)
            if job.get("job_type") != "child":
                status = new
        if jobs:
            self._set_mailing(mailing_id, {"status": status})
        return len(jobs)

    def _jobs(self, mailing_id: int) -> list[dict[str, Any]]:
        return self.api.get_all("MailingJob", {
            "select": ["id", "status", "start_date", "job_type", "parent_id"],
            "where": [["mailing_id", "=", mailing_id], ["is_test", "=", False]],
            "orderBy": {"id": "ASC"}})

    def _set_job(self, job: dict[str, Any], status: str, **extra: str) -> None:
        # API v4 MailingJob is read-only (403, recording MailingJob.update.error_read_only_
        # entity); API v3 MailingJob.create {id, status} writes the row (v3.MailingJob.create.*).
        self._v3("MailingJob", "create", {"id": int(job["id"]), "status": status, **extra})

    def _set_mailing(self, mailing_id: int, values: dict[str, Any]) -> None:
        if not self._mailing_has_status():
            return  # before 5.76 the mailing row has no status (VERSIONS.md)
        self.api.values("Mailing", "update", {"where": [["id", "=", mailing_id]],
                                              "values": values})

    def _mailing_has_status(self) -> bool:
        version = self.civicrm.civicrm_version() or "0"
        parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
        return parts >= (5, 76)

    def counts(self, mailing_id: int) -> MailingCounts:
        queue = self.api.get_all("MailingEventQueue", {
            "select": ["id"], "where": [["mailing_id", "=", mailing_id],
                                        ["is_test", "=", False]], "orderBy": {"id": "ASC"}})
        ids = [int(r["id"]) for r in queue]
        sent = failed = 0
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            where = [["event_queue_id", "IN", part]]
            sent += len({r["event_queue_id"] for r in self.api.get_all("MailingEventDelivered", {
                "select": ["event_queue_id"], "where": where, "orderBy": {"id": "ASC"}})})
            failed += len({r["event_queue_id"] for r in self.api.get_all("MailingEventBounce", {
                "select": ["event_queue_id"], "where": where, "orderBy": {"id": "ASC"}})})
        return MailingCounts(queued=len(ids), sent=sent, failed=failed)

    # -- API v3 --------------------------------------------------------------------------

    def _v3(self, entity: str, action: str, params: dict[str, Any]) -> Any:
        """One API v3 call over REST (COMPAT §7.6 end): same session and credentials."""
        url = route_url(self.api.api_url, "civicrm/ajax/rest")
        data = {"entity": entity, "action": action, "json": json.dumps(params)}
        try:
            response = self.api.session.post(url, data=data, timeout=self.api.timeout,
                                             allow_redirects=False)
            body = response.json()
        except requests.RequestException as exc:
            raise CiviCRMUnreachable(f"API v3 {entity}.{action} at {self.api.host} failed "
                                     f"({type(exc).__name__})") from None
        except ValueError:
            raise CiviCRMAPIError(f"API v3 {entity}.{action}: the answer was not JSON "
                                  f"(HTTP {response.status_code})") from None
        if body.get("is_error"):
            raise CiviCRMAPIError(f"API v3 {entity}.{action}: {body.get('error_message')}")
        return body.get("values", [])


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _date(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(str(value)[:19], "%Y-%m-%d %H:%M:%S")
