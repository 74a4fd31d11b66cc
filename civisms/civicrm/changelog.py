"""``civicrm_log`` rows, as CiviCRM writes them when it creates an activity.

``CRM_Activity_BAO_Activity::create`` ends with ``logActivityAction``: one row with
``entity_table`` ``civicrm_activity``, the activity id, ``data`` ``Activity created for
source=S`` (``, target=T1,T2`` when the create named its targets), ``modified_id`` the
logged-in user (else the activity's source) and the time. The contact's "Change Log" tab
reads these rows. CiviCRM 6.17.2 writes none when it saves a mailing (checked on a real
site, docs/civicrm-parity.md), so neither does civisms.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from civisms.civicrm.dbconn import Database
from civisms.civicrm.queries import query

CHUNK = 1000


def activity_created(source: int, targets: Sequence[int] = ()) -> str:
    """The ``data`` text of a created activity (``Activity created for source=2, target=3``)."""
    text = f"Activity created for source={source}"
    if targets:
        text += ", target=" + ",".join(str(t) for t in targets)
    return text


def log_activities(db: Database, entries: Sequence[tuple[int, int, Sequence[int]]],
                   now: datetime) -> None:
    """One row per ``(activity_id, source_contact_id, targets)``; the source is also the
    ``modified_id`` (civisms has no logged-in user: its acting user is the source)."""
    rows = [("civicrm_activity", activity_id, activity_created(source, targets), source, now)
            for activity_id, source, targets in entries]
    for start in range(0, len(rows), CHUNK):
        db.insert_rows(query("insert_log"), rows[start : start + CHUNK])
