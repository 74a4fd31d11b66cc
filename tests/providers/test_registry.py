"""Entry-point discovery and the row → adapter lookup."""

from __future__ import annotations

import pytest
from provider_helpers import make_row

from civisms.errors import ConfigError
from civisms.providers import registry
from civisms.providers.clickatell import ClickatellProvider
from civisms.providers.kannel import JasminProvider, KannelProvider
from civisms.providers.local import LocalProvider
from civisms.providers.twilio import TwilioProvider
from civisms.providers.vonage import VonageProvider

BUILT_INS = {
    "local": LocalProvider, "twilio": TwilioProvider, "vonage": VonageProvider,
    "clickatell": ClickatellProvider, "kannel": KannelProvider, "jasmin": JasminProvider,
}


def test_built_ins_come_through_entry_points() -> None:
    found = registry.refresh()
    for name, cls in BUILT_INS.items():
        assert found.adapters[name] is cls
        assert cls.key == name
    assert not found.broken


@pytest.mark.parametrize(("key", "cls"), [
    ("org.civicrm.sms.twilio", TwilioProvider),
    ("org.civicrm.sms.clickatell", ClickatellProvider),
    ("org.civisms.vonage", VonageProvider),
    ("org.civisms.kannel", KannelProvider),
    ("org.civisms.jasmin", JasminProvider),
    ("org.civisms.local", LocalProvider),
    ("twilio", TwilioProvider),  # the entry-point name works too
])
def test_extension_key_lookup(key: str, cls: type) -> None:
    assert registry.adapter_class(key) is cls


def test_unknown_extension_key_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as info:
        registry.adapter_class("org.civicrm.sms.telerivet")
    text = str(info.value)
    assert "org.civicrm.sms.telerivet" in text
    assert "org.civicrm.sms.twilio" in text and "org.civisms.local" in text


def test_inactive_rows_are_never_used() -> None:
    row = make_row("org.civisms.local", is_active=False, title="Old outbox")
    with pytest.raises(ConfigError, match="is_active = 0"):
        registry.provider_for(row)


def test_provider_for_builds_the_adapter(tmp_path) -> None:  # type: ignore[no-untyped-def]
    provider = registry.provider_for(make_row("org.civisms.local"), outbox=tmp_path / "o.jsonl")
    assert isinstance(provider, LocalProvider)
    assert provider.path == tmp_path / "o.jsonl"
    assert registry.adapter_key_for(make_row("org.civicrm.sms.twilio")) == "twilio"
