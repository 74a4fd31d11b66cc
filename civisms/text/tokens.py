"""CiviCRM tokens in SMS text: ``{contact.first_name}``, ``{domain.name|upper}`` ...

Syntax as CiviCRM's ``Civi\\Token\\TokenProcessor``: ``{entity.field}`` or
``{entity.field|filter:"arg"}``, entity ``\\w+``, field ``[\\w:.]+``, one filter whose
arguments are double-quoted. ``{$...}`` is Smarty, not a token (and Smarty is off for SMS).

A template is parsed once (``parse``) into literal pieces and token slots; ``render`` then
only looks values up and joins, for as many recipients as needed. ``Template`` also says
up front which ``civicrm_contact`` columns and option groups its tokens need, so a backend
fetches only those (``civisms.text.render.token_values``).

Rendering follows CiviCRM (``CRM_Core_EntityTokens``, ``Civi\\Token\\StandardFilters``):

* a missing value renders as empty; booleans as ``1`` / empty (PHP's string cast);
  multi-valued fields (``contact_sub_type``, ``preferred_communication_method``) as a
  comma-separated list; dates without filter as ``crmDate:"Full"`` at midnight, else
  ``crmDate`` (date and time), see ``civisms.text.dates``;
* ``upper`` / ``lower``; ``capitalize`` is PHP's ``MB_CASE_TITLE`` (``DVD`` -> ``Dvd``,
  ``o'neil`` -> ``O'neil``); ``boolean`` gives ``1`` / ``0``; ``default:"x"`` replaces a
  PHP-falsy value (empty, ``0``); ``crmDate:"fmt"`` formats dates and, as in CiviCRM,
  behaves like ``default`` on a value that is not a date.

Differences, on purpose: an unknown token is refused (``TextError`` naming the nearest
valid ones) unless ``unknown="keep"``, which leaves it as typed like CiviCRM; a malformed
filter or an unknown filter is refused where CiviCRM would throw or send it literally.
``api_key`` is not a token (a credential must never leave by SMS).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from civisms.errors import TextError
from civisms.text.dates import as_datetime, crm_date, default_date_text

#: Every ``civicrm_contact`` column (CiviCRM 6.17.2) a token may name; ``api_key`` left out.
CONTACT_COLUMNS = (
    "id", "contact_type", "external_identifier", "display_name", "organization_name",
    "contact_sub_type", "first_name", "middle_name", "last_name", "do_not_email",
    "do_not_phone", "do_not_mail", "do_not_sms", "do_not_trade", "is_opt_out",
    "legal_identifier", "sort_name", "nick_name", "legal_name", "image_URL",
    "preferred_communication_method", "preferred_language", "hash", "source", "prefix_id",
    "suffix_id", "formal_title", "communication_style_id", "email_greeting_id",
    "email_greeting_custom", "email_greeting_display", "postal_greeting_id",
    "postal_greeting_custom", "postal_greeting_display", "addressee_id", "addressee_custom",
    "addressee_display", "job_title", "gender_id", "birth_date", "is_deceased",
    "deceased_date", "household_name", "primary_contact_id", "sic_code", "user_unique_id",
    "employer_id", "is_deleted", "created_date", "modified_date", "preferred_mail_format",
)

#: Pseudoconstant columns and the option group their ``:label`` / ``:name`` come from.
OPTION_GROUPS = {
    "prefix_id": "individual_prefix",
    "suffix_id": "individual_suffix",
    "gender_id": "gender",
    "communication_style_id": "communication_style",
    "preferred_language": "languages",
    "email_greeting_id": "email_greeting",
    "postal_greeting_id": "postal_greeting",
    "addressee_id": "addressee",
    "preferred_communication_method": "preferred_communication_method",
}
DATE_COLUMNS = frozenset({"birth_date", "deceased_date", "created_date", "modified_date"})
BOOLEAN_COLUMNS = frozenset({
    "do_not_email", "do_not_phone", "do_not_mail", "do_not_sms", "do_not_trade", "is_opt_out",
    "is_deceased", "is_deleted",
})
#: Columns stored bookend-serialised (``\x01a\x01b\x01``): rendered as ``a,b``.
MULTI_COLUMNS = frozenset({"contact_sub_type", "preferred_communication_method"})
#: Values that are not ``civicrm_contact`` columns: the primary email and phone.
CONTACT_RELATED = {
    "email": "email",
    "email_primary.email": "email",
    "phone": "phone",
    "phone_primary.phone": "phone",
}
DOMAIN_FIELDS = ("id", "name", "email", "phone", "address", "now")

FILTERS = ("upper", "lower", "capitalize", "boolean", "default", "crmDate")

_contact_tokens = [f"contact.{c}" for c in CONTACT_COLUMNS]
_contact_tokens += [f"contact.{c}:{s}" for c in OPTION_GROUPS for s in ("label", "name")]
_contact_tokens += [f"contact.{r}" for r in CONTACT_RELATED]
#: Every token name civisms renders, without braces or filter.
KNOWN_TOKENS: frozenset[str] = frozenset(_contact_tokens + [f"domain.{f}" for f in DOMAIN_FIELDS])
_KNOWN_SORTED = tuple(sorted(KNOWN_TOKENS))  # sorted: suggestions must not vary by run

# A "token-looking" run: validated strictly afterwards so that a typo in a filter is an
# error rather than text sent as typed.
_TOKEN = re.compile(r"\{(\w+)\.([\w:.]+)(?:\|([^{}\n]*))?\}")
_FILTER = re.compile(r'(\w+)((?::"[^"]*")*)$')
_ARG = re.compile(r':"([^"]*)"')

Unknown = Literal["error", "keep"]


@dataclass(frozen=True, slots=True)
class Token:
    """One token as typed: ``{entity.field|filter:"arg"}``."""

    text: str
    entity: str
    field: str
    filter: str | None = None
    args: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """``entity.field``: the key of its value in a render mapping."""
        return f"{self.entity}.{self.field}"


@dataclass(frozen=True, slots=True)
class Needs:
    """What a template's tokens need from CiviCRM."""

    contact_fields: frozenset[str]
    contact_related: frozenset[str]
    label_groups: frozenset[str]
    name_groups: frozenset[str]
    domain: bool

    @property
    def contact(self) -> bool:
        """True when any contact value is needed at all."""
        return bool(self.contact_fields or self.contact_related)


class Template:
    """A parsed message: literal pieces and token slots, rendered per recipient."""

    __slots__ = ("_literal", "_pieces", "_slots", "needs", "source", "tokens", "unknown")

    def __init__(self, source: str, unknown: Unknown = "error") -> None:
        self.source = source
        pieces: list[str] = []
        slots: list[tuple[int, str, Callable[[Any], str]]] = []
        tokens: list[Token] = []
        unknowns: list[Token] = []
        pos = 0
        for match in _TOKEN.finditer(source):
            token = _token(match)
            if token.name not in KNOWN_TOKENS:
                unknowns.append(token)
                continue  # left in the surrounding literal, as typed
            pieces.append(source[pos : match.start()])
            slots.append((len(pieces), token.name, _formatter(token)))
            pieces.append("")
            tokens.append(token)
            pos = match.end()
        pieces.append(source[pos:])
        if unknowns and unknown != "keep":
            raise TextError(_unknown_message(unknowns))
        self._pieces = pieces
        self._slots = tuple(slots)
        self._literal = "".join(pieces) if not slots else None
        self.tokens = tuple(tokens)
        self.unknown = tuple(unknowns)
        self.needs = _needs(tokens)

    def __repr__(self) -> str:
        return f"Template({self.source!r})"

    @property
    def names(self) -> tuple[str, ...]:
        """Distinct token names (``contact.first_name``), in order of appearance."""
        return tuple(dict.fromkeys(t.name for t in self.tokens))

    def render(self, values: Mapping[str, Any]) -> str:
        """The message for one recipient; ``values`` maps token names to raw values
        (``civisms.text.render`` builds it); a missing name renders as empty."""
        if self._literal is not None:
            return self._literal
        out = self._pieces.copy()
        get = values.get
        for index, name, fmt in self._slots:
            out[index] = fmt(get(name))
        return "".join(out)


def parse(text: str, *, unknown: Unknown = "error") -> Template:
    """Parse ``text`` once; ``unknown="keep"`` leaves unknown tokens as typed (CiviCRM's way)."""
    if unknown not in ("error", "keep"):
        raise ValueError("unknown must be 'error' or 'keep'")
    return Template(text, unknown)


def find_tokens(text: str) -> list[Token]:
    """Every token-looking run in ``text``, known or not, without validating filters."""
    found = []
    for match in _TOKEN.finditer(text):
        entity, field, tail = match.groups()
        found.append(Token(match.group(0), entity, field, tail or None))
    return found


def suggestions(name: str, n: int = 3) -> list[str]:
    """The known token names nearest to ``name`` (``contact.frist_name``)."""
    close = difflib.get_close_matches(name, _KNOWN_SORTED, n=n, cutoff=0.6)
    if not close and "." in name:
        entity, field = name.split(".", 1)
        fields = [k.split(".", 1)[1] for k in _KNOWN_SORTED if k.startswith(f"{entity}.")]
        close = [f"{entity}.{f}" for f in difflib.get_close_matches(field, fields, n=n, cutoff=0.6)]
    return close


# -- parsing helpers ----------------------------------------------------------------------


def _token(match: re.Match[str]) -> Token:
    entity, field, tail = match.groups()
    if tail is None:
        return Token(match.group(0), entity, field)
    parsed = _FILTER.match(tail)
    if parsed is None:
        raise TextError(
            f"token {match.group(0)}: malformed filter {tail!r}; one filter per token, "
            'arguments in double quotes, e.g. {contact.first_name|default:"friend"}'
        )
    name, arg_text = parsed.groups()
    args = tuple(_ARG.findall(arg_text))
    token = Token(match.group(0), entity, field, name, args)
    _check_filter(token)
    return token


def _check_filter(token: Token) -> None:
    name, nargs = token.filter, len(token.args)
    if name not in FILTERS:
        close = difflib.get_close_matches(name or "", FILTERS, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise TextError(
            f"token {token.text}: unknown filter {name!r}; {hint}filters are upper, lower, "
            'capitalize, boolean, default:"...", crmDate:"..."'
        )
    if name == "default" and nargs != 1:
        raise TextError(f'token {token.text}: default takes one argument, e.g. default:"friend"')
    if name == "crmDate" and nargs > 1:
        raise TextError(f'token {token.text}: crmDate takes one format, e.g. crmDate:"Full"')
    if name not in ("default", "crmDate") and nargs:
        raise TextError(f"token {token.text}: the {name} filter takes no argument")


def _unknown_message(unknowns: Iterable[Token]) -> str:
    lines = []
    for name in dict.fromkeys(t.name for t in unknowns):
        close = suggestions(name)
        if close:
            hint = f"did you mean {{{close[0]}}}?"
            if len(close) > 1:
                hint += " (also close: " + ", ".join(f"{{{c}}}" for c in close[1:]) + ")"
        else:
            hint = "no similar token (e.g. {contact.first_name}, {domain.name})"
        lines.append(f"unknown token {{{name}}}; {hint}")
    return "; ".join(lines)


def _needs(tokens: Iterable[Token]) -> Needs:
    fields: set[str] = set()
    related: set[str] = set()
    labels: set[str] = set()
    names: set[str] = set()
    domain = False
    for token in tokens:
        if token.entity == "domain":
            domain = True
            continue
        field, _, suffix = token.field.partition(":")
        if field in CONTACT_RELATED:
            related.add(CONTACT_RELATED[field])
            continue
        fields.add(field)
        if suffix == "label":
            labels.add(OPTION_GROUPS[field])
        elif suffix == "name" and field != "preferred_language":
            names.add(OPTION_GROUPS[field])
    return Needs(frozenset(fields), frozenset(related), frozenset(labels), frozenset(names), domain)


# -- rendering helpers --------------------------------------------------------------------


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
        return ",".join(to_text(v) for v in value)
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


def _formatter(token: Token) -> Callable[[Any], str]:
    name = token.filter
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
        fallback = token.args[0]
        return lambda v: to_text(v) if php_truthy(v) else fallback
    fmt = token.args[0] if token.args else None
    return lambda v: _crm_date(v, fmt, fmt or "")
