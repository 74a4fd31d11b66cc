"""``civisms mailing`` in words: a mailing with names instead of ids, its pace at the
provider's rate, why civisms paused it, and warnings about inactive groups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import click

from civisms.check import provider_rate
from civisms.civicrm.base import CiviCRM
from civisms.civicrm.mailing_model import PAUSED, Mailing
from civisms.cli.words import duration, plural
from civisms.errors import CivismsError
from civisms.sending import resolve
from civisms.text import segment


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "-"


def _named(ids: tuple[int, ...], names: dict[int, str]) -> str:
    if not ids:
        return "none"
    return ", ".join(f"{names[i]!r} ({i})" if i in names else f"{i} (not found)" for i in ids)


def mailing_lines(civicrm: CiviCRM, m: Mailing) -> list[str]:
    """``mailing show``: one labelled line per fact, groups and providers by name."""
    groups = {g.id: g.title for g in civicrm.groups()}
    providers = {p.id: p.title for p in civicrm.sms_providers(include_inactive=True)}
    g = m.groups
    lines = [
        f"mailing {m.id}: {m.name}",
        f"  status:            {m.status}",
        "  provider:          " + (_named((m.sms_provider_id,), providers)
                                    if m.sms_provider_id else "none"),
        f"  text:              {m.body_text or '(none yet)'}",
        f"  include groups:    {_named(g.include_groups, groups)}",
        f"  exclude groups:    {_named(g.exclude_groups, groups)}",
    ]
    if g.base_groups:
        lines.append(f"  base groups:       {_named(g.base_groups, groups)}")
    if g.include_mailings or g.exclude_mailings:
        lines.append(f"  include mailings:  {', '.join(map(str, g.include_mailings)) or 'none'}")
        lines.append(f"  exclude mailings:  {', '.join(map(str, g.exclude_mailings)) or 'none'}")
    if m.msg_template_id:
        templates = {t.id: t.title for t in civicrm.sms_templates(include_inactive=True)}
        lines.append(f"  template:          {_named((m.msg_template_id,), templates)}")
    if m.campaign_id:
        campaigns = {c.id: c.title or c.name or "" for c in civicrm.campaigns()}
        lines.append(f"  campaign:          {_named((m.campaign_id,), campaigns)}")
    lines += [
        f"  recipients:        {m.recipients:,}",
        f"  created:           {_when(m.created_date)}"
        + (f" by contact {m.created_id}" if m.created_id else ""),
        f"  scheduled for:     {_when(m.scheduled_date)}",
    ]
    if m.start_date or m.end_date:
        lines.append(f"  started / ended:   {_when(m.start_date)} / {_when(m.end_date)}")
    return lines


@dataclass(frozen=True)
class Pace:
    """How long the rest of a mailing takes at its provider's rate."""

    provider_id: int
    provider: str
    mps: float
    messages: int
    segments: int

    @property
    def seconds(self) -> float:
        return self.segments / self.mps

    def as_dict(self) -> dict[str, Any]:
        return {"provider_id": self.provider_id, "provider": self.provider, "mps": self.mps,
                "messages": self.messages, "segments": self.segments,
                "expected_seconds": round(self.seconds, 1)}

    def line(self) -> str:
        text = (f"  expected duration: about {duration(self.seconds)} for "
                f"{plural(self.messages, 'message')} ({plural(self.segments, 'segment')}) at "
                f"{self.mps:,g} segment{'' if self.mps == 1 else 's'}/s, the rate of provider "
                f"{self.provider_id} {self.provider!r}")
        if self.seconds > 600:
            text += ("; raise it with civisms_mps=N in that provider's API parameters in "
                     "CiviCRM (Administer > System Settings > SMS Providers), up to what "
                     "your gateway account allows")
        return text


def pace(civicrm: CiviCRM, m: Mailing, messages: int) -> Pace | None:
    """The mailing's pace at its provider's rate (segments of the text as typed, so about),
    or None when the provider or its rate is unknown."""
    row = next((p for p in civicrm.sms_providers(include_inactive=True)
                if p.id == m.sms_provider_id), None)
    rate = provider_rate(row) if row else None
    if row is None or rate is None:
        return None
    per_message = segment(m.body_text).segments if m.body_text else 1
    return Pace(row.id, row.title, rate, messages, messages * per_message)


def pause_data(st: Any) -> dict[str, Any] | None:
    """Why civisms paused the mailing, for ``--json`` (None when it did not)."""
    if st.paused_by_civisms is None:
        return None
    reason, at = st.paused_by_civisms
    return {"reason": reason, "paused_at": at, "what_to_do": _what_to_do(st.mailing.id)}


def _what_to_do(mailing_id: int) -> str:
    return (f"fix the cause (often the provider's credentials or credit, in CiviCRM: "
            f"Administer > System Settings > SMS Providers), check it with `civisms providers "
            f"test`, then `civisms mailing resume {mailing_id}`")


def pause_lines(st: Any) -> list[str]:
    """``mailing status`` lines for a paused mailing: civisms' reason and what to do."""
    if st.mailing.status != PAUSED:
        return []
    if st.paused_by_civisms is None:
        return [f"  paused by a user (not by civisms); resume with "
                f"`civisms mailing resume {st.mailing.id}`"]
    reason, at = st.paused_by_civisms
    return [f"  paused by civisms at {_when(at)}: {reason}",
            f"  what to do: {_what_to_do(st.mailing.id)}"]


def warn_inactive_groups(civicrm: CiviCRM, typed: tuple[str, ...]) -> None:
    """Warn on stderr for each inactive group among ``typed`` (CiviCRM's screens hide them,
    so nobody looking at CiviCRM would expect it to be texted)."""
    for name in typed:
        try:
            group = resolve.group(civicrm, name)
        except CivismsError:
            continue  # reported, with what would be right, by the command itself
        if not group.is_active:
            click.echo(f"civisms: warning: group {group.id} {group.title!r} is disabled in "
                       "CiviCRM (its screens hide it); its members are texted all the same",
                       err=True)
