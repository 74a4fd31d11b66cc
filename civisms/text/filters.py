"""CiviCRM's token filters and value-to-text rules (``Civi\\Token\\StandardFilters``,
``CRM_Core_EntityTokens``), used by ``civisms.text.tokens``; see that module's docstring."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any

from civisms.text.dates import as_datetime, crm_date, default_date_text


def to_text(value: Any) -> str:
    """A raw value as CiviCRM prints it in a token (no filter)."""
    if value is None:
        return ""
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, date):
        moment = as_datetime(value)
        return default_date_text(moment) if moment else ""
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(to_text(v) for v in value)  # CiviCRM: labels joined by ", "
    return str(value)


def php_truthy(value: Any) -> bool:
    """PHP's truthiness: ``""``, ``"0"``, 0, empty lists and null are false."""
    if isinstance(value, str):
        return value not in ("", "0")
    return bool(value)


def title_case(text: str) -> str:
    """PHP's ``mb_convert_case(MB_CASE_TITLE)``: a cased letter starts a word unless it
    follows a cased letter, case-ignorable characters (apostrophes, marks) in between."""
    out = []
    in_word = False
    for ch in text:
        out.append(ch.lower() if in_word else ch.title())
        if ch.lower() != ch.upper() or unicodedata.category(ch) in ("Lu", "Ll", "Lt"):
            in_word = True
        elif not (ch in "'.:^`\u00b7\u2018\u2019\u2024\u2027" or unicodedata.category(ch) in
                  ("Mn", "Me", "Cf", "Lm", "Sk")):
            in_word = False
    return "".join(out)


def _crm_date(value: Any, fmt: str | None, fallback: str) -> str:
    moment = as_datetime(value) if isinstance(value, date) else None
    if moment is not None:
        return crm_date(moment, fmt)
    if value is None or value == "":
        return ""
    # CiviCRM: crmDate on a value that is not a date falls through to `default`.
    return to_text(value) if php_truthy(value) else fallback


def formatter(name: str | None, args: tuple[str, ...]) -> Callable[[Any], str]:
    """The function that turns a raw value into text for one token's filter."""
    if name is None:
        return to_text
    if name == "upper":
        return lambda v: to_text(v).upper()
    if name == "lower":
        return lambda v: to_text(v).lower()
    if name == "capitalize":
        return lambda v: title_case(to_text(v))
    if name == "boolean":
        return lambda v: "1" if php_truthy(v) else "0"
    if name == "default":
        fallback = args[0]
        return lambda v: to_text(v) if php_truthy(v) else fallback
    fmt = args[0] if args else None
    return lambda v: _crm_date(v, fmt, fmt or "")
