"""The bridge: civisms as the SMS provider behind CiviCRM's own screens and scheduled job.

CiviCRM only sends through a provider that is a PHP extension, so civisms ships one
(``civicrm-extension/``, key ``org.civisms.bridge``; docs/bridge.md). A provider row named
after that key is a *bridge row*: CiviCRM hands its messages to civisms, and its
``api_params`` line ``civisms_via=<row id>`` names the gateway row civisms sends through,
so the gateway's credentials stay in one row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from civisms.errors import ConfigError
from civisms.model import SmsProvider

#: The extension key, stored in ``civicrm_sms_provider.name`` of every bridge row.
KEY = "org.civisms.bridge"
#: The ``api_params`` key naming the gateway row of a bridge row.
VIA = "civisms_via"
#: CiviCRM's scheduled job the extension adds (API v3 ``Job.civisms_send``).
JOB_ACTION = "job.civisms_send"
#: CiviCRM's own "Send Scheduled SMS", which the extension holds off.
CORE_JOB_ACTION = "job.process_sms"


def is_bridge(row: SmsProvider) -> bool:
    """Is ``row`` a bridge row (CiviCRM forwards its messages to civisms)?"""
    return row.name.strip() == KEY


def gateway_row(row: SmsProvider, rows: Iterable[SmsProvider]) -> SmsProvider:
    """The row whose gateway really sends ``row``'s messages: ``row`` itself, or for a
    bridge row the row its ``civisms_via`` line names.

    The gateway row may be inactive (so CiviCRM's screens offer only the bridge row); it
    is then treated as active, because the bridge row's own state is what counts.
    ``ConfigError`` when the line is missing or names no usable row.
    """
    if not is_bridge(row):
        return row
    where = f"civicrm_sms_provider {row.id} ({row.title}) api_params"
    via = str(row.api_params.get(VIA, "")).strip()
    if not via.isdigit():
        raise ConfigError(
            where, f"{VIA}={via!r}" if via else f"no {VIA} line",
            f"{VIA}=<id of the gateway row civisms sends through> "
            "(civisms sync providers --via ROW writes it)",
        )
    target = next((r for r in rows if r.id == int(via)), None)
    if target is None:
        raise ConfigError(where, f"{VIA}={via}, a row that does not exist",
                          "the id of an existing SMS provider row (civisms providers list)")
    if is_bridge(target):
        raise ConfigError(where, f"{VIA}={via}, another civisms bridge row",
                          "the id of a gateway row (Twilio, Vonage, ...), not a bridge row")
    return dataclasses.replace(target, is_active=True)
