"""Replies on a site with the bridge: ``hook_civicrm_inboundSMS`` still fires.

Before civisms records a reply, it asks CiviCRM to run the bridge's API v3 action
``Civisms.inbound`` (REST, ``CIVISMS_API_URL`` and ``CIVISMS_API_KEY``, whatever the
backend), which builds CiviCRM's ``CRM_SMS_Message``, fires the hook and answers the
message as the hooks left it. civisms then files the reply on the ``fromContactID`` /
``toContactID`` a hook set, if any (docs/bridge.md "Replies").

The hook is a courtesy to other extensions: when CiviCRM cannot be asked (no API URL or
key, CiviCRM down, the action refused), the reply is recorded all the same and a warning
is logged; a reply is never lost for it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests

from civisms.bridge import KEY
from civisms.civicrm.base import CiviCRM
from civisms.civicrm.urls import API3_REST_ROUTE, route_url
from civisms.config import Settings
from civisms.errors import CivismsError

log = logging.getLogger(__name__)

#: Seconds the bridge's state (enabled or not) is trusted before it is read again.
STATE_TTL = 60.0
#: Seconds CiviCRM has to run the hooks; a gateway waits for our answer meanwhile.
TIMEOUT = 10.0


@dataclass(frozen=True)
class HookAnswer:
    """What ``hook_civicrm_inboundSMS`` decided (None: left to civisms)."""

    from_contact_id: int | None
    to_contact_id: int | None


class _State:
    """Whether the bridge is enabled, read at most every ``STATE_TTL`` seconds."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.enabled = False
        self.read_at = float("-inf")
        self.warned = False


_state = _State()


def bridge_enabled(civicrm: CiviCRM) -> bool:
    """Is the bridge enabled on the site (cached for ``STATE_TTL`` seconds)?"""
    with _state.lock:
        if time.monotonic() - _state.read_at < STATE_TTL:
            return _state.enabled
    try:
        found = civicrm.extension(KEY)
    except CivismsError as exc:
        log.warning("cannot tell whether the civisms bridge is enabled: %s", exc)
        found = None
    with _state.lock:
        _state.enabled = bool(found and found.status == "enabled")
        _state.read_at = time.monotonic()
        return _state.enabled


def fire_hook(civicrm: CiviCRM, settings: Settings, sender: str, text: str,
              to: str | None, message_id: str | None) -> HookAnswer | None:
    """Fire ``hook_civicrm_inboundSMS`` through the bridge; None when the bridge is not
    enabled or CiviCRM could not be asked (logged)."""
    if not bridge_enabled(civicrm):
        return None
    if not settings.api_url or settings.api_key is None:
        with _state.lock:
            warn, _state.warned = not _state.warned, True
        if warn:
            log.warning("the civisms bridge is enabled but CIVISMS_API_URL / CIVISMS_API_KEY "
                        "are unset: hook_civicrm_inboundSMS does not fire for replies")
        return None
    params = {"from": sender, "body": text, "to": to or "", "track_id": message_id or ""}
    try:
        values = _call(settings, params)
    except CivismsError as exc:
        log.warning("hook_civicrm_inboundSMS not fired for a reply from %s: %s", sender, exc)
        return None
    first: dict[str, Any] = values[0] if isinstance(values, list) and values else {}
    return HookAnswer(_int(first.get("from_contact_id")), _int(first.get("to_contact_id")))


def _call(settings: Settings, params: dict[str, str]) -> Any:
    api_url, api_key = settings.require_api()
    url = route_url(api_url, API3_REST_ROUTE)
    headers = {"X-Civi-Auth": f"Bearer {api_key}", "X-Requested-With": "XMLHttpRequest",
               "Accept": "application/json"}
    data = {"entity": "Civisms", "action": "inbound", "json": json.dumps(params)}
    try:
        response = requests.post(url, data=data, headers=headers, timeout=TIMEOUT,
                                 allow_redirects=False)
        body = response.json()
    except requests.RequestException as exc:
        raise CivismsError(f"API v3 Civisms.inbound failed ({type(exc).__name__})") from exc
    except ValueError:
        raise CivismsError(f"API v3 Civisms.inbound answered HTTP {response.status_code} "
                           "without JSON") from None
    if not isinstance(body, dict) or body.get("is_error"):
        reason = body.get("error_message") if isinstance(body, dict) else "not an object"
        raise CivismsError(f"API v3 Civisms.inbound: {reason}")
    return body.get("values")


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "", 0, "0") else None
    except (TypeError, ValueError):
        return None
