"""Helpers for the provider tests: provider rows, canned payloads, a fixed CiviCRM site."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from civisms.civicrm.base import CiviCRM
from civisms.civicrm.params import parse_api_params
from civisms.model import SmsProvider
from civisms.providers.base import WebhookRequest

DATA = Path(__file__).parent / "data"
TWILIO_SID = "AC0123456789abcdef0123456789abcdef"
TWILIO_TOKEN = "f3a9c1d2e4b5a6978877665544332211"  # fake, but shaped like a real token


def data(provider: str, name: str) -> bytes:
    """A canned payload from ``tests/providers/data/<provider>/<name>``."""
    return (DATA / provider / name).read_bytes()


def data_json(provider: str, name: str) -> Any:
    """A canned JSON payload."""
    return json.loads(data(provider, name))


def make_row(name: str, api_params: str = "", **fields: Any) -> SmsProvider:
    """A ``civicrm_sms_provider`` row, ``api_params`` given as CiviCRM stores it."""
    values: dict[str, Any] = {
        "id": 7, "name": name, "title": f"Test {name}", "username": "user",
        "password": "pass-word-secret", "api_type": "http", "api_url": None,
        "api_params": parse_api_params(api_params), "api_params_raw": api_params,
        "is_active": True, "is_default": False, "domain_id": 1,
    }
    values.update(fields)
    return SmsProvider(**values)


def form_request(url: str, body: bytes, headers: dict[str, str] | None = None) -> WebhookRequest:
    """A form POST as a gateway makes it."""
    sent = {"Content-Type": "application/x-www-form-urlencoded"}
    sent.update(headers or {})
    return WebhookRequest("POST", url, sent, body)


def json_request(url: str, body: bytes, headers: dict[str, str] | None = None) -> WebhookRequest:
    """A JSON POST as a gateway makes it."""
    sent = {"Content-Type": "application/json"}
    sent.update(headers or {})
    return WebhookRequest("POST", url, sent, body)


class FixedSite(CiviCRM):
    """A CiviCRM site that only knows its SMS provider rows (for the CLI tests)."""

    backend_name = "fixed"

    def __init__(self, rows: list[SmsProvider]) -> None:
        self.rows = rows

    def sms_providers(self, *, include_inactive: bool = True) -> list[SmsProvider]:
        rows = [r for r in self.rows if include_inactive or r.is_active]
        return sorted(rows, key=lambda r: (not r.is_default, r.id))

    def _nope(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("not used by the provider commands")

    civicrm_version = domain = option_values = option_labels = contacts = _nope
    group_contact_ids = find_contacts = groups = sms_templates = _nope
    save_sms_template = update_sms_template = campaigns = create_activity = _nope
    add_activity_targets = _nope


FixedSite.__abstractmethods__ = frozenset()
