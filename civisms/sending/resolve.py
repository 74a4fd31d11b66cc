"""Turn what a user typed (an id, a name, a title, a file) into CiviCRM records.

Every failure is an ``InputError`` naming what was typed and what would be right, raised
before anything is sent or written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from civisms.civicrm.base import CiviCRM
from civisms.errors import InputError
from civisms.model import Campaign, Contact, Group, MessageTemplate, SmsProvider

MAX_TEXT_FILE = 1_000_000


def acting_user(civicrm: CiviCRM, settings: Any) -> int | None:
    """Who civisms records as ``created_id``, ``scheduled_id``, ``approver_id`` and activity
    source: ``CIVISMS_SOURCE_CONTACT_ID``, else the backend's user (api4: the API key's
    contact; db: the domain contact)."""
    return settings.source_contact_id or civicrm.acting_contact_id()


def _by_id_or_title(items: Sequence, typed: str, kind: str, titles: str = "title"):  # type: ignore[no-untyped-def]
    text = typed.strip()
    if text.isdigit():
        for item in items:
            if item.id == int(text):
                return item
    matches = [
        item for item in items
        if text.casefold() in {str(getattr(item, a) or "").casefold() for a in titles.split()}
    ]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(f"{i.id} {getattr(i, titles.split()[0])!r}" for i in items[:10]) or "none"
    if matches:
        raise InputError(f"{kind} {typed!r} matches several: {known}; give the id")
    raise InputError(f"no {kind} {typed!r}; expected an id or title among: {known}")


def provider(civicrm: CiviCRM, typed: str | None) -> SmsProvider:
    """A provider row by id or title; without one, the site's default active provider."""
    rows = civicrm.sms_providers(include_inactive=True)
    if typed is None:
        active = [p for p in rows if p.is_active]
        chosen = next((p for p in active if p.is_default), None)
        if chosen is None:
            shown = ", ".join(f"{p.id} {p.title!r}" for p in active) or "none is active"
            raise InputError(
                f"no default active SMS provider; choose one with --provider ({shown})"
            )
        return chosen
    row: SmsProvider = _by_id_or_title(rows, typed, "SMS provider")
    if not row.is_active:
        raise InputError(f"SMS provider {row.id} {row.title!r} is inactive; enable it in CiviCRM "
                         "or choose an active one")
    return row


def template(civicrm: CiviCRM, typed: str) -> MessageTemplate:
    """An SMS template by id or title."""
    return _by_id_or_title(civicrm.sms_templates(), typed, "SMS template")  # type: ignore[no-any-return]


def group(civicrm: CiviCRM, typed: str) -> Group:
    """A group by id, name or title."""
    return _by_id_or_title(civicrm.groups(), typed, "group", "title name")  # type: ignore[no-any-return]


def campaign(civicrm: CiviCRM, typed: str) -> Campaign:
    """A campaign by id, name or title."""
    return _by_id_or_title(civicrm.campaigns(), typed, "campaign", "title name")  # type: ignore[no-any-return]


def contact(civicrm: CiviCRM, typed: str) -> Contact:
    """One contact by id, email or display name; several matches are an error listing them."""
    text = typed.strip()
    if text.isdigit():
        found = civicrm.contacts([int(text)])
        if not found:
            raise InputError(f"no contact with id {text}")
        return found[0]
    found = civicrm.find_contacts(text)
    if not found:
        raise InputError(f"no contact with email or display name {typed!r}; give an id")
    if len(found) > 1:
        listed = "; ".join(f"{c.id} {c.display_name}" for c in found[:10])
        raise InputError(f"{typed!r} matches {len(found)} contacts ({listed}); give the id")
    return found[0]


def contact_ids_file(path: str | Path) -> list[int]:
    """Contact ids from a file: one id per line, or a CSV with an ``id``/``contact_id``
    column (as CiviCRM's search export writes it)."""
    text = read_text_file(path, "contacts file")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if all(line.isdigit() for line in lines):
        return [int(line) for line in lines]
    reader = csv.DictReader(io.StringIO(text))
    columns = {name.strip().lower().replace(" ", "_"): name for name in reader.fieldnames or []}
    column = columns.get("contact_id") or columns.get("id") or columns.get("contact_id_")
    if column is None:
        raise InputError(
            f"{path}: no 'id' or 'contact_id' column (found: {', '.join(columns) or 'none'}); "
            "expected one id per line or a CSV exported from a CiviCRM search"
        )
    ids = []
    for number, row in enumerate(reader, start=2):
        value = (row.get(column) or "").strip()
        if not value.isdigit():
            raise InputError(f"{path}, line {number}: {value!r} is not a contact id")
        ids.append(int(value))
    return ids


def read_text_file(path: str | Path, what: str = "text file") -> str:
    """A UTF-8 file of at most 1 MB, not empty; one clear line otherwise.

    A byte-order mark and one final newline are dropped: editors add them, nobody means
    to send them.
    """
    file = Path(path)
    try:
        size = file.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read {what} {str(file)!r}: {exc.strerror}") from None
    if size > MAX_TEXT_FILE:
        raise InputError(f"{what} {str(file)!r} is {size:,} bytes; at most 1 MB is accepted")
    data = file.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{what} {str(file)!r} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); save it as UTF-8"
        ) from None
    text = text.removesuffix("\n").removesuffix("\r")
    if not text.strip():
        raise InputError(f"{what} {str(file)!r}: the file is empty")
    return text
