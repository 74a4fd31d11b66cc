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

Which names exist is ``civisms.text.catalog`` (CiviCRM 6.17.2's list, legacy names
included). Differences, on purpose: in civisms' own commands (``unknown="error"``) a token
CiviCRM does not know, a real CiviCRM token civisms cannot render, an unclosed token
(``{contact.first_name``) or a bad filter is refused (``TextError`` naming the nearest valid
ones). For a mailing made in CiviCRM (``unknown="lenient"``) nothing is refused: a real
token civisms lacks renders empty, and the others render empty too but are listed in
``Template.problems`` so that the job pauses the mailing instead of sending it; never are
braces sent. ``unknown="keep"`` leaves them as typed (``text check --keep-unknown``).
``api_key`` is not a token (a credential must never leave by SMS).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from civisms.errors import TextError
from civisms.text.catalog import (
    ALIASES,
    CHECKSUMS,
    CUSTOM,
    DOMAIN_FIELDS,
    RELATED,
    RELATED_BOOLEANS,
    canonical,
    unsupported,
)
from civisms.text.filters import formatter

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
#: Columns CiviCRM 6.17.2 does not render as tokens (it renders them empty).
NOT_TOKENS = frozenset({"email_greeting_id", "postal_greeting_id", "addressee_id"})
DATE_COLUMNS = frozenset({"birth_date", "deceased_date", "created_date", "modified_date"})
BOOLEAN_COLUMNS = frozenset({
    "do_not_email", "do_not_phone", "do_not_mail", "do_not_sms", "do_not_trade", "is_opt_out",
    "is_deceased", "is_deleted",
})
#: Columns stored bookend-serialised (``\x01a\x01b\x01``): rendered as ``a,b``.
MULTI_COLUMNS = frozenset({"contact_sub_type", "preferred_communication_method"})
#: Old names of the primary email and phone (kept for callers; see catalog.ALIASES).
CONTACT_RELATED = {"email": "email", "email_primary.email": "email", "phone": "phone",
                   "phone_primary.phone": "phone"}

FILTERS = ("upper", "lower", "capitalize", "boolean", "default", "crmDate")

# A "token-looking" run: validated strictly afterwards so that a typo in a filter is an
# error rather than text sent as typed.
_TOKEN = re.compile(r"\{(\w+)\.([\w:.]+)(?:\|([^{}\n]*))?\}")
# The start of a token; one not starting a whole token above is unclosed or malformed.
_OPENING = re.compile(r"\{\w+\.[\w:.]*(?:\|[^{}\n]*)?")
_FILTER = re.compile(r'(\w+)((?::"[^"]*")*)$')
_ARG = re.compile(r':"([^"]*)"')

Unknown = Literal["error", "keep", "lenient"]


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
        """``entity.field`` as typed."""
        return f"{self.entity}.{self.field}"

    @property
    def key(self) -> str:
        """The key of its value in a render mapping: the name CiviCRM evaluates
        (``contact.city`` -> ``contact.address_primary.city``)."""
        if self.entity == "contact":
            return f"contact.{canonical(self.field)}"
        return self.name


@dataclass(frozen=True, slots=True)
class Needs:
    """What a template's tokens need from CiviCRM."""

    contact_fields: frozenset[str]
    label_groups: frozenset[str]
    name_groups: frozenset[str]
    domain: bool
    related: frozenset[str] = frozenset()
    custom: frozenset[int] = frozenset()
    checksum: bool = False

    @property
    def contact(self) -> bool:
        """True when any contact value is needed at all."""
        return bool(self.contact_fields or self.related or self.custom or self.checksum)


class Template:
    """A parsed message: literal pieces and token slots, rendered per recipient."""

    __slots__ = ("_literal", "_pieces", "_slots", "needs", "problems", "source", "tokens",
                 "unknown", "unsupported")

    def __init__(self, source: str, unknown: Unknown = "error") -> None:
        self.source = source
        pieces: list[str] = []
        slots: list[tuple[int, str, Callable[[Any], str]]] = []
        tokens: list[Token] = []
        unknowns: list[Token] = []
        lacking: list[Token] = []
        problems: list[str] = []
        pos = 0
        for start, end, token, error in _scan(source):
            if unknown == "keep" and (error or not known(token)):
                if token is not None and not known(token):
                    unknowns.append(token)
                continue  # left in the surrounding literal, as typed
            if error:
                if unknown == "error":
                    raise TextError(error)
                problems.append(error)
            elif not known(token):
                if unsupported(token.entity, token.field):
                    lacking.append(token)
                else:
                    unknowns.append(token)
            pieces.append(source[pos:start])
            if error or not known(token):
                pieces.append("")  # lenient: rendered empty, never sent with braces
            else:
                slots.append((len(pieces), token.key, formatter(token.filter, token.args)))
                pieces.append("")
                tokens.append(token)
            pos = end
        pieces.append(source[pos:])
        if unknown == "error" and (unknowns or lacking):
            raise TextError(_unknown_message(unknowns, lacking))
        if unknown == "lenient":
            problems += [_unknown_message([t], []) for t in unknowns]
        self._pieces = pieces
        self._slots = tuple(slots)
        self._literal = "".join(pieces) if not slots else None
        self.tokens = tuple(tokens)
        self.unknown = tuple(unknowns)
        self.unsupported = tuple(lacking)
        self.problems = tuple(problems)
        self.needs = _needs(tokens)

    def __repr__(self) -> str:
        return f"Template({self.source!r})"

    @property
    def names(self) -> tuple[str, ...]:
        """Distinct token names (``contact.first_name``), in order of appearance."""
        return tuple(dict.fromkeys(t.name for t in self.tokens))

    def render(self, values: Mapping[str, Any]) -> str:
        """The message for one recipient; ``values`` maps token keys to raw values
        (``civisms.text.render`` builds it); a missing key renders as empty."""
        if self._literal is not None:
            return self._literal
        out = self._pieces.copy()
        get = values.get
        for index, name, fmt in self._slots:
            out[index] = fmt(get(name))
        return "".join(out)


def parse(text: str, *, unknown: Unknown = "error") -> Template:
    """Parse ``text`` once; see the module docstring for ``unknown``."""
    if unknown not in ("error", "keep", "lenient"):
        raise ValueError("unknown must be 'error', 'keep' or 'lenient'")
    return Template(text, unknown)


def known(token: Token | None) -> bool:
    """True when civisms renders ``token`` (custom fields included)."""
    if token is None:
        return False
    if token.entity == "domain":
        return token.field in DOMAIN_FIELDS
    return token.entity == "contact" and canonical_known(canonical(token.field))


def canonical_known(field: str) -> bool:
    """True for a canonical contact field civisms renders."""
    column, _, suffix = field.partition(":")
    if field in RELATED or CUSTOM.match(field) or field in CHECKSUMS:
        return True
    if suffix == "label" and (column in RELATED_BOOLEANS or column in BOOLEAN_COLUMNS
                              or column == "contact_type"):
        return True
    if column not in CONTACT_COLUMNS or column in NOT_TOKENS:
        return False
    return not suffix or (suffix in ("label", "name") and column in OPTION_GROUPS)


_contact_tokens = [f"contact.{c}" for c in CONTACT_COLUMNS if c not in NOT_TOKENS]
_contact_tokens += [f"contact.{c}:{s}" for c in OPTION_GROUPS for s in ("label", "name")
                    if c not in NOT_TOKENS]
_contact_tokens += [f"contact.{c}:label" for c in BOOLEAN_COLUMNS]
_contact_tokens += ["contact.contact_type:label", "contact.checksum", "contact.checksum_value"]
_contact_tokens += [f"contact.{r}" for r in RELATED]
_contact_tokens += [f"contact.{b}:label" for b in RELATED_BOOLEANS]
_contact_tokens += [f"contact.{a}" for a in ALIASES if canonical_known(ALIASES[a])]
#: Every token name civisms renders (custom fields aside), without braces or filter.
KNOWN_TOKENS: frozenset[str] = frozenset(_contact_tokens + [f"domain.{f}" for f in DOMAIN_FIELDS])
_KNOWN_SORTED = tuple(sorted(KNOWN_TOKENS))  # sorted: suggestions must not vary by run


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


def _scan(source: str) -> list[tuple[int, int, Token | None, str | None]]:
    """``(start, end, token, error)`` for every token and every unclosed or malformed one."""
    found: list[tuple[int, int, Token | None, str | None]] = []
    covered = 0
    for opening in _OPENING.finditer(source):
        if opening.start() < covered:
            continue
        whole = _TOKEN.match(source, opening.start())
        if whole is None:
            found.append((opening.start(), opening.end(), None,
                          f"unclosed token {opening.group(0)!r}: add the closing brace }}"))
            covered = opening.end()
            continue
        try:
            found.append((whole.start(), whole.end(), _token(whole), None))
        except TextError as exc:
            found.append((whole.start(), whole.end(), None, str(exc)))
        covered = whole.end()
    return found


def _unknown_message(unknowns: Iterable[Token], lacking: Iterable[Token]) -> str:
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
    for name in dict.fromkeys(t.name for t in lacking):
        lines.append(f"token {{{name}}} is CiviCRM's but civisms cannot render it in an SMS "
                     "(docs/tokens.md); remove it or put the value in the text")
    return "; ".join(lines)


def _needs(tokens: Iterable[Token]) -> Needs:
    fields: set[str] = set()
    related: set[str] = set()
    labels: set[str] = set()
    names: set[str] = set()
    custom: set[int] = set()
    domain = checksum = False
    for token in tokens:
        if token.entity == "domain":
            domain = True
            continue
        field = canonical(token.field)
        column, _, suffix = field.partition(":")
        if field in CHECKSUMS:
            checksum = True
            fields.update(("id", "hash"))
        elif (match := CUSTOM.match(field)) is not None:
            if match.group(2) is None:  # custom_N:label renders empty in CiviCRM
                custom.add(int(match.group(1)))
        elif field in RELATED or column in RELATED_BOOLEANS:
            related.add(field if field in RELATED else column)
        else:
            fields.add(column)
            if suffix == "label" and column in OPTION_GROUPS:
                labels.add(OPTION_GROUPS[column])
            elif suffix == "name" and column in OPTION_GROUPS and column != "preferred_language":
                names.add(OPTION_GROUPS[column])
    return Needs(frozenset(fields), frozenset(labels), frozenset(names), domain,
                 frozenset(related), frozenset(custom), checksum)
