"""``civisms sync providers --via ROW``: the bridge row for a gateway row.

One bridge row per gateway row (found by its ``civisms_via`` line): created the first
time, updated after (URL, a fresh token, active), so running it again is safe. The token
is the row's password: CiviCRM's extension sends it, civisms checks it against the row;
nobody needs to see it, so it is never printed.
"""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from civisms.bridge import KEY, VIA, is_bridge
from civisms.civicrm.base import CiviCRM
from civisms.errors import CiviCRMError, ConfigError, InputError
from civisms.model import SmsProvider


@dataclasses.dataclass(frozen=True)
class Synced:
    """What ``sync_bridge_row`` did."""

    row_id: int
    title: str
    via: int
    api_url: str
    created: bool
    extension: str  # the bridge extension's status on the site

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def sync_bridge_row(civicrm: CiviCRM, via: int, public_url: str | None) -> Synced:
    """Create or update the bridge row that sends through gateway row ``via``."""
    if not public_url:
        raise ConfigError("CIVISMS_PUBLIC_URL", "nothing",
                          "the URL at which CiviCRM's server reaches civisms serve, "
                          "e.g. https://sms.example.org")
    rows = civicrm.sms_providers(include_inactive=True)
    gateway = next((r for r in rows if r.id == via), None)
    if gateway is None:
        known = ", ".join(f"{r.id} {r.title!r}" for r in rows if not is_bridge(r)) or "none"
        raise InputError(f"no SMS provider row {via}; gateway rows: {known}")
    if is_bridge(gateway):
        raise InputError(f"row {via} is itself a civisms bridge row; give a gateway row "
                         "(Twilio, Vonage, ...) civisms sends through")
    existing = next((r for r in rows if is_bridge(r)
                     and str(r.api_params.get(VIA, "")).strip() == str(via)), None)
    title = existing.title if existing else _free_title(rows, f"civisms via {gateway.title}")
    row = SmsProvider(
        id=existing.id if existing else 0, name=KEY, title=title,
        username=existing.username if existing and existing.username else "civisms",
        password=secrets.token_urlsafe(32), api_type="http", api_url=public_url.rstrip("/"),
        api_params={VIA: str(via)}, api_params_raw=f"{VIA}={via}", is_active=True,
        is_default=existing.is_default if existing else False,
    )
    row_id = civicrm.save_sms_provider(row)
    try:
        state = civicrm.extension(KEY)
    except CiviCRMError:  # e.g. an API user who may not list extensions: the row is saved
        state = None
    return Synced(row_id, title, via, row.api_url or "", existing is None,
                  state.status if state else "unknown")


def _free_title(rows: list[SmsProvider], wanted: str) -> str:
    """CiviCRM's provider form refuses a title another row has: add a number if taken."""
    taken = {r.title for r in rows}
    title, n = wanted[:64], 2
    while title in taken:
        title = f"{wanted[:58]} ({n})"
        n += 1
    return title
