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
from civisms.files import FileRefused, read_bounded
from civisms.model import Campaign, Contact, Group, MessageTemplate, SmsProvider

MAX_TEXT_FILE = 1_000_000
#: CiviCRM's ids are INT UNSIGNED.
MAX_ID = 4_294_967_295


def parse_id(text: str) -> int | None:
    """``text`` as a CiviCRM id (ASCII digits, at most ``MAX_ID``), else None.

    ``str.isdigit`` accepts ``²`` and ``٣``, which ``int`` then refuses or reads as
    another number: only ASCII digits are an id.
    """
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def shorten(typed: str, limit: int = 60) -> str:
    """What the user typed, for an error line: repr'd, and cut when very long."""
    if len(typed) <= limit:
        return repr(typed)
    return f"{typed[:limit]!r}... ({len(typed):,} characters)"


def acting_user(civicrm: CiviCRM, settings: Any) -> int | None:
    """Who civisms records as ``created_id``, ``scheduled_id``, ``approver_id`` and activity
    source: ``CIVISMS_SOURCE_CONTACT_ID``, else the backend's user (api4: the API key's
    contact; db: the domain contact)."""
    return settings.source_contact_id or civicrm.acting_contact_id()


def _by_id_or_title(items: Sequence, typed: str, kind: str, titles: str = "title"):  # type: ignore[no-untyped-def]
    text = typed.strip()
    number = parse_id(text)
    if number is not None:
        for item in items:
            if item.id == number:
                return item
    matches = [
        item for item in items
        if text.casefold() in {str(getattr(item, a) or "").casefold() for a in titles.split()}
    ]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(f"{i.id} {getattr(i, titles.split()[0])!r}" for i in items[:10]) or "none"
    if matches:
        raise InputError(f"{kind} {shorten(typed)} matches several: {known}; give the id")
    raise InputError(f"no {kind} {shorten(typed)}; expected an id or title among: {known}")


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
        return served(chosen)
    row: SmsProvider = _by_id_or_title(rows, typed, "SMS provider")
    if not row.is_active:
        raise InputError(f"SMS provider {row.id} {row.title!r} is inactive; enable it in CiviCRM "
                         "or choose an active one")
    return served(row)


def served(row: SmsProvider) -> SmsProvider:
    """The row itself, when a civisms adapter serves its extension key (``name``); else an
    ``InputError`` saying so, before anything is written or queued."""
    from civisms.errors import ConfigError
    from civisms.providers.registry import adapter_class

    try:
        adapter_class(row.name)
    except ConfigError as exc:
        known = exc.expected.removeprefix("an extension key served by a civisms provider: ")
        raise InputError(
            f"SMS provider {row.id} {row.title!r} ({row.name}) has no civisms adapter, so "
            "civisms cannot send through it; choose another provider (civisms serves "
            f"{known}; see civisms providers list)") from None
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
    number = parse_id(text)
    if number is not None:
        found = civicrm.contacts([number])
        if not found:
            raise InputError(f"no contact with id {number}")
        return found[0]
    if text.isascii() and text.isdigit():
        raise InputError(f"no contact with id {shorten(text)}: ids are at most {MAX_ID}")
    found = civicrm.find_contacts(text)
    if not found:
        raise InputError(f"no contact with email or display name {shorten(typed)}; give an id")
    if len(found) > 1:
        listed = "; ".join(f"{c.id} {c.display_name}" for c in found[:10])
        raise InputError(f"{shorten(typed)} matches {len(found)} contacts ({listed}); "
                         "give the id")
    return found[0]


def sender(civicrm: CiviCRM, typed: int | None, settings: Any) -> int | None:
    """The contact recorded as the sender: ``--from-contact``, else ``acting_user``. One
    the user named must exist: a missing one would leave activities without a source."""
    if typed is None and settings.source_contact_id is None:
        return acting_user(civicrm, settings)
    where = "--from-contact" if typed is not None else "CIVISMS_SOURCE_CONTACT_ID"
    chosen = typed if typed is not None else settings.source_contact_id
    if chosen is None or parse_id(str(chosen)) is None or not civicrm.contacts([chosen]):
        raise InputError(f"{where} {chosen}: no such contact; give the id of an existing "
                         "contact (the sender recorded on the SMS activities)")
    return int(chosen)


def contact_ids_file(path: str | Path) -> list[int]:
    """Contact ids from a file: one id per line, or a CSV with an ``id``/``contact_id``
    column (as CiviCRM's search export writes it)."""
    text = read_text_file(path, "contacts file")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if all(line.isascii() and line.isdigit() for line in lines):
        ids = [parse_id(line) for line in lines]
        bad = next((n for n, i in enumerate(ids, start=1) if i is None), None)
        if bad is not None:
            raise InputError(f"{path}, line {bad}: {shorten(lines[bad - 1])} is not a "
                             f"contact id (at most {MAX_ID})")
        return [i for i in ids if i is not None]
    try:
        return _csv_ids(path, text)
    except csv.Error as exc:
        raise InputError(f"{path}: not a valid CSV file ({exc}); fix the quotes or export the "
                         "search again") from None


def _csv_ids(path: str | Path, text: str) -> list[int]:
    # strict: an unclosed quote is an error, not the rest of the file read as one field.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        raise InputError(f"{path}, line 1: not valid CSV ({exc})") from None
    columns = {name.strip().lower().replace(" ", "_"): name for name in fieldnames}
    column = columns.get("contact_id") or columns.get("id") or columns.get("contact_id_")
    if column is None:
        raise InputError(
            f"{path}: no 'id' or 'contact_id' column (found: {', '.join(columns) or 'none'}); "
            "expected one id per line or a CSV exported from a CiviCRM search"
        )
    ids = []
    while True:
        start = reader.line_num + 1  # where the next record begins (the reader stops at errors)
        try:
            row = next(reader)
        except StopIteration:
            return ids
        except csv.Error as exc:
            raise InputError(f"{path}, line {start}: not valid CSV ({exc}); fix the quotes "
                             "or export the search again") from None
        value = str(row.get(column) or "").strip()
        number = parse_id(value)
        if number is None:
            raise InputError(f"{path}, line {reader.line_num}: {shorten(value)} is not a "
                             "contact id")
        ids.append(number)


def read_text_file(path: str | Path, what: str = "text file") -> str:
    """A UTF-8 file of at most 1 MB, not empty; one clear line otherwise.

    A byte-order mark and one final newline are dropped: editors add them, nobody means
    to send them.
    """
    file = Path(path)
    try:
        data = read_bounded(file, MAX_TEXT_FILE)
    except FileRefused as exc:
        raise InputError(f"cannot read {what} {str(file)!r}: {exc} (at most 1 MB is "
                         "accepted)") from None
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
