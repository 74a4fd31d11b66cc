"""Mass SMS mailings as CiviCRM's "New SMS" wizard leaves them after "Submit".

``schedule_mailing`` writes, with plain SQL, the rows observed/mass-sms.md lists for the
Group, Upload and Schedule steps of CiviCRM 6.17.2: the ``civicrm_mailing`` row (provider,
scheduler, approval), its ``civicrm_mailing_group`` rows, the recipients computed as
``getRecipients()`` computes them in SMS mode, and one parent ``civicrm_mailing_job`` in
status Scheduled. Columns a version lacks (``status`` before 5.76) are left out.
``add_bulk_recipients`` adds many contacts with a mobile each, for large mailings.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import SiteDb

#: CiviCRM's default bounce types (civicrm_data.tpl), which the schema subset lacks.
BOUNCE_TYPES = [
    ("AOL", "AOL Terms of Service complaint", 1), ("Away", "Recipient is on vacation", 30),
    ("Dns", "Unable to resolve recipient domain", 3),
    ("Host", "Unable to deliver to destintation mail server", 3),
    ("Inactive", "User account is no longer active", 1),
    ("Invalid", "Email address is not valid", 1), ("Loop", "Mail routing error", 3),
    ("Quota", "User inbox is full", 3), ("Relay", "Unable to reach destination mail server", 3),
    ("Spam", "Message caught by a content filter", 1), ("Syntax", "Error in SMTP transaction", 3),
]

SCHEDULER = 2  # Standalone Admin, the logged-in user of the observed run

# getRecipients() in SMS mode (observed/mass-sms.md "Who was chosen"): Added members of an
# Include group, not Added in an Exclude group, flags clear, a non-empty Mobile; the
# primary mobile wins (rows REPLACEd in is_primary order: the last one stays).
RECIPIENTS_SQL = """
INSERT INTO civicrm_mailing_recipients (mailing_id, contact_id, phone_id)
SELECT %(mailing)s, c.id,
       (SELECT p2.id FROM civicrm_phone p2
         WHERE p2.contact_id = c.id AND p2.phone_type_id = %(mobile)s
           AND p2.phone IS NOT NULL AND p2.phone <> ''
         ORDER BY p2.is_primary DESC, p2.id LIMIT 1)
FROM civicrm_contact c
WHERE c.is_deleted = 0 AND c.is_opt_out = 0 AND c.is_deceased <> 1 AND c.do_not_sms = 0
  AND EXISTS (SELECT 1 FROM civicrm_group_contact gc WHERE gc.contact_id = c.id
              AND gc.status = 'Added' AND gc.group_id IN ({include}))
  AND NOT EXISTS (SELECT 1 FROM civicrm_group_contact gx WHERE gx.contact_id = c.id
                  AND gx.status = 'Added' AND gx.group_id IN ({exclude}))
  AND EXISTS (SELECT 1 FROM civicrm_phone p WHERE p.contact_id = c.id
              AND p.phone_type_id = %(mobile)s AND p.phone IS NOT NULL AND p.phone <> '')
ORDER BY c.id
"""


def columns(site: SiteDb, table: str) -> set[str]:
    rows = site.query("SELECT LOWER(column_name) AS c FROM information_schema.columns "
                      "WHERE table_schema = %s AND table_name = %s", [site.name, table])
    return {r["c"] for r in rows}


def seed_bounce_types(site: SiteDb) -> None:
    """The bounce types a real install has (the test schema subset has none)."""
    if not site.scalar("SELECT COUNT(*) FROM civicrm_mailing_bounce_type"):
        for name, description, threshold in BOUNCE_TYPES:
            site.execute("INSERT INTO civicrm_mailing_bounce_type (name, description, "
                         "hold_threshold) VALUES (%s, %s, %s)", [name, description, threshold])


def use_gateway(site: SiteDb, url: str, provider_id: int = 3, mps: float = 1000.0) -> None:
    """Point the sample site's Twilio row at a local gateway and enable it."""
    site.execute(
        "UPDATE civicrm_sms_provider SET is_active = 1, api_url = %s, "
        "username = 'AC0123456789abcdef0123456789abcdef', password = 'not-a-real-token', "
        "api_params = %s WHERE id = %s",
        [url, f"From=+15550003000\ncivisms_mps={mps:g}", provider_id])


def schedule_mailing(
    site: SiteDb,
    *,
    name: str = "Spring drive mass SMS",
    text: str = "Hi {contact.first_name}, the Spring drive starts Saturday at 10:00. "
                "Ça commence! Reply STOP to opt out.",
    provider_id: int = 3,
    include: Sequence[int] = (2,),
    exclude: Sequence[int] = (3,),
    recipients: bool = True,
    scheduled: datetime | None = None,
    campaign_id: int | None = None,
) -> int:
    """A mailing scheduled "send immediately" through the wizard; returns its id."""
    seed_bounce_types(site)
    when = (scheduled or datetime.now() - timedelta(seconds=1)).replace(microsecond=0)
    username = site.scalar("SELECT username FROM civicrm_sms_provider WHERE id = %s",
                           [provider_id])
    components = {r["id"] for r in site.query("SELECT id FROM civicrm_mailing_component")}
    values: dict[str, Any] = {
        "domain_id": 1, "name": name, "mailing_type": "standalone", "from_name": username,
        "from_email": "info@EXAMPLE.ORG", "replyto_email": "info@EXAMPLE.ORG",
        "template_type": "traditional", "subject": None, "body_text": text,
        "url_tracking": 0, "open_tracking": 1, "dedupe_email": 1, "header_id": None,
        "footer_id": None, "visibility": "Public Pages", "hash": secrets.token_hex(8),
        "created_id": SCHEDULER, "scheduled_id": SCHEDULER, "scheduled_date": when,
        "approver_id": SCHEDULER, "approval_date": when, "approval_status_id": 1,
        "sms_provider_id": provider_id, "campaign_id": campaign_id,
    }
    # The default components of a real site; the schema subset has none to point at.
    for column, component in (("reply_id", 8), ("unsubscribe_id", 5), ("resubscribe_id", 6),
                              ("optout_id", 7)):
        values[column] = component if component in components else None
    if "status" in columns(site, "civicrm_mailing"):
        values["status"] = "Scheduled"
    names = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    site.execute(f"INSERT INTO civicrm_mailing ({names}) VALUES ({marks})", list(values.values()))
    mailing_id = int(site.scalar("SELECT MAX(id) FROM civicrm_mailing"))
    for kind, groups in (("Include", include), ("Exclude", exclude)):
        for group in groups:
            site.execute("INSERT INTO civicrm_mailing_group (mailing_id, group_type, "
                         "entity_table, entity_id) VALUES (%s, %s, 'civicrm_group', %s)",
                         [mailing_id, kind, group])
    if recipients and include:
        mobile = site.scalar(
            "SELECT ov.value FROM civicrm_option_value ov JOIN civicrm_option_group og "
            "ON og.id = ov.option_group_id WHERE og.name = 'phone_type' AND ov.name = 'Mobile'")
        sql = RECIPIENTS_SQL.format(include=", ".join(str(int(g)) for g in include),
                                    exclude=", ".join(str(int(g)) for g in exclude) or "0")
        site.execute(sql, {"mailing": mailing_id, "mobile": int(mobile)})
    site.execute("INSERT INTO civicrm_mailing_job (mailing_id, scheduled_date, status, "
                 "is_test, job_type, parent_id, job_offset, job_limit) "
                 "VALUES (%s, %s, 'Scheduled', 0, NULL, NULL, 0, 0)", [mailing_id, when])
    return mailing_id


def add_bulk_recipients(site: SiteDb, mailing_id: int, count: int, *,
                        first_id: int = 1_000_000, number_base: int = 4_155_550_000) -> None:
    """``count`` new Individuals with one primary mobile each, all recipients of a mailing.

    Numbers are ``+1 <number_base + i>`` (distinct, so a gateway log can tell them apart).
    """
    conn = site._connect()
    try:
        cur = conn.cursor()
        for start in range(0, count, 5000):
            part = range(start, min(count, start + 5000))
            cur.executemany(
                "INSERT INTO civicrm_contact (id, contact_type, first_name, last_name, "
                "display_name, sort_name) VALUES (%s, 'Individual', %s, 'Bulk', %s, %s)",
                [(first_id + i, f"P{i}", f"P{i} Bulk", f"Bulk, P{i}") for i in part])
            cur.executemany(
                "INSERT INTO civicrm_phone (id, contact_id, location_type_id, is_primary, "
                "phone, phone_type_id) VALUES (%s, %s, 1, 1, %s, 2)",
                [(first_id + i, first_id + i, f"+1{number_base + i}") for i in part])
            cur.executemany(
                "INSERT INTO civicrm_mailing_recipients (mailing_id, contact_id, phone_id) "
                "VALUES (%s, %s, %s)", [(mailing_id, first_id + i, first_id + i) for i in part])
            conn.commit()
    finally:
        conn.close()
