"""Helpers for the service tests: an app on a test site (either backend), gateway rows,
the SMS delivery activities a send writes, and snapshots of what webhooks may change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.testclient import TestClient

from civisms.civicrm.db import DbCiviCRM
from civisms.config import Settings
from civisms.model import Activity
from civisms.web import create_app

if TYPE_CHECKING:
    from conftest import SiteDb

SENDER = 2  # the contact recorded as the sender of SMS activities
DOMAIN_CONTACT = 1


@dataclass
class Served:
    """A running app (in-process) on a test site."""

    client: TestClient
    site: SiteDb
    backend: str
    settings: Settings


def settings_for(site: SiteDb, backend: str, tmp_path: Path, **extra: Any) -> Settings:
    """Settings for ``backend`` on ``site`` (api4: the emulator's URL and key)."""
    values: dict[str, Any] = {"outbox": tmp_path / "outbox.jsonl",
                              "source_contact_id": SENDER, **extra}
    if backend == "db":
        return site.settings(**values)
    from api4_site import API_KEY, BASE_URL

    return Settings(backend="api4", api_url=BASE_URL, api_key=API_KEY, **values)


@contextmanager
def serve(site: SiteDb, backend: str, tmp_path: Path, **extra: Any) -> Iterator[Served]:
    """The app on ``site`` through ``backend``, started and stopped around the block."""
    settings = settings_for(site, backend, tmp_path, **extra)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Served(client, site, backend, settings)


def add_provider(site: SiteDb, name: str, *, username: str | None = None,
                 password: str | None = None, api_params: str = "",
                 api_url: str | None = None) -> int:
    """Insert an active SMS provider row; its id."""
    site.execute(
        "INSERT INTO civicrm_sms_provider (name, title, username, password, api_type, api_url,"
        " api_params, is_default, is_active, domain_id) VALUES (%s, %s, %s, %s, 1, %s, %s, 0,"
        " 1, 1)", [name, f"{name} test", username, password, api_url, api_params])
    return int(site.scalar("SELECT MAX(id) FROM civicrm_sms_provider"))


def sent_message(site: SiteDb, message_id: str, contact_id: int = 3,
                 text: str = "Hi Alice") -> int:
    """The SMS delivery activity an individual send writes for one accepted message."""
    civicrm = DbCiviCRM(site.params)
    try:
        return civicrm.create_activity(Activity(
            activity_type="SMS delivery", source_contact_id=SENDER, status="Completed",
            details=text, targets=(contact_id,), result=message_id))
    finally:
        civicrm.close()


def activity(site: SiteDb, activity_id: int) -> dict[str, Any]:
    """One activity with its status *name*."""
    return site.query(
        "SELECT a.*, ov.name AS status FROM civicrm_activity a JOIN civicrm_option_value ov "
        "ON ov.value = a.status_id JOIN civicrm_option_group og ON og.id = ov.option_group_id"
        " AND og.name = 'activity_status' WHERE a.id = %s", [activity_id])[0]


def activities_of_type(site: SiteDb, type_name: str) -> list[dict[str, Any]]:
    return site.query(
        "SELECT a.* FROM civicrm_activity a JOIN civicrm_option_value ov "
        "ON ov.value = a.activity_type_id JOIN civicrm_option_group og "
        "ON og.id = ov.option_group_id AND og.name = 'activity_type' "
        "WHERE ov.name = %s ORDER BY a.id", [type_name])


def contacts_of(site: SiteDb, activity_id: int, record_type: str) -> list[int]:
    rows = site.query(
        "SELECT ac.contact_id FROM civicrm_activity_contact ac "
        "JOIN civicrm_option_value ov ON ov.value = ac.record_type_id "
        "JOIN civicrm_option_group og ON og.id = ov.option_group_id "
        "AND og.name = 'activity_contacts' "
        "WHERE ac.activity_id = %s AND ov.name = %s ORDER BY ac.contact_id",
        [activity_id, record_type])
    return [r["contact_id"] for r in rows]


_SNAPSHOT = {
    "activities": "SELECT id, activity_type_id, status_id, location, subject, details, result,"
                  " modified_date FROM civicrm_activity ORDER BY id",
    "activity_contacts": "SELECT * FROM civicrm_activity_contact ORDER BY id",
    "contacts": "SELECT id, do_not_sms, modified_date FROM civicrm_contact ORDER BY id",
    "phones": "SELECT * FROM civicrm_phone ORDER BY id",
    "bounces": "SELECT * FROM civicrm_mailing_event_bounce ORDER BY id",
}
_OWN = {
    "receipts": "SELECT * FROM civisms_receipt ORDER BY provider_id, message_id",
    "inbound": "SELECT * FROM civisms_inbound ORDER BY provider_id, message_id",
}


def snapshot(site: SiteDb) -> dict[str, Any]:
    """Every row a webhook may write, to compare before and after."""
    taken = {name: site.query(sql) for name, sql in _SNAPSHOT.items()}
    for name, sql in _OWN.items():
        table = sql.split("FROM ")[1].split()[0]
        if site.scalar("SELECT COUNT(*) FROM information_schema.tables WHERE "
                       "table_schema = DATABASE() AND table_name = %s", [table]):
            taken[name] = site.query(sql)
    return taken
