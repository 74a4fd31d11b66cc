"""Which adapter serves a provider row: entry-point discovery (group ``civisms.providers``).

Built-in adapters are registered in civisms' own ``pyproject.toml`` exactly like a
third-party plug-in (ARCHITECTURE convention 2), so the plug-in path runs every day. A row
is matched on its ``name`` column (the CiviCRM extension key) against each adapter's
``extension_keys``, then against the entry-point names themselves (``name = twilio``).
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from civisms.errors import ConfigError
from civisms.model import SmsProvider
from civisms.providers.base import Provider

GROUP = "civisms.providers"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Discovered:
    """What discovery found: adapters by entry-point name, and plug-ins that failed to load."""

    adapters: dict[str, type[Provider]]
    broken: dict[str, str]

    def by_extension_key(self) -> dict[str, type[Provider]]:
        """Extension key (and entry-point name) → adapter; built-ins win conflicts."""
        ordered = sorted(
            self.adapters.items(), key=lambda kv: not kv[1].__module__.startswith("civisms.")
        )
        table: dict[str, type[Provider]] = {}
        for name, cls in ordered:
            for key in (*cls.extension_keys, name):
                if key in table and table[key] is not cls:
                    log.warning("provider key %r claimed by %s and %s; keeping %s", key,
                                table[key].__qualname__, cls.__qualname__, table[key].__qualname__)
                    continue
                table[key] = cls
        return table


_cache: tuple[tuple[str, ...], Discovered] | None = None


def discover() -> Discovered:
    """Load every ``civisms.providers`` entry point (cached until ``sys.path`` changes).

    A plug-in that fails to import is reported in ``broken`` instead of breaking civisms.
    """
    global _cache
    key = tuple(sys.path)
    if _cache is not None and _cache[0] == key:
        return _cache[1]
    adapters: dict[str, type[Provider]] = {}
    broken: dict[str, str] = {}
    for ep in entry_points(group=GROUP):
        if ep.name in adapters:
            continue  # the same distribution seen twice on sys.path: first one wins
        try:
            cls = ep.load()
        except Exception as exc:  # a third-party plug-in may fail in any way
            broken[ep.name] = f"{ep.value}: {type(exc).__name__}: {exc}"
            continue
        if not (isinstance(cls, type) and issubclass(cls, Provider)):
            broken[ep.name] = f"{ep.value}: not a civisms.providers.base.Provider subclass"
            continue
        adapters[ep.name] = cls
    found = Discovered(adapters, broken)
    _cache = (key, found)
    return found


def refresh() -> Discovered:
    """Forget the cache and discover again (after installing a plug-in at run time)."""
    global _cache
    _cache = None
    return discover()


def adapter_class(extension_key: str) -> type[Provider]:
    """The adapter class for a ``civicrm_sms_provider.name``; ``ConfigError`` listing the known."""
    found = discover()
    table = found.by_extension_key()
    cls = table.get(extension_key.strip())
    if cls is None:
        known = ", ".join(sorted(k for k in table if "." in k)) or "none"
        hint = ""
        for name, err in found.broken.items():
            hint += f"; plug-in {name!r} failed to load ({err})"
        raise ConfigError(
            "civicrm_sms_provider.name", repr(extension_key),
            f"an extension key served by a civisms provider: {known}{hint}",
        )
    return cls


def adapter_name(cls: type[Provider]) -> str:
    """The entry-point name an adapter class is registered under (its ``key`` otherwise)."""
    for name, registered in discover().adapters.items():
        if registered is cls:
            return name
    return cls.key or cls.__name__


def adapter_key_for(row: SmsProvider) -> str:
    """The entry-point name of the adapter serving ``row`` (``ConfigError`` when none)."""
    return adapter_name(adapter_class(row.name))


def provider_for(row: SmsProvider, *, outbox: Path | None = None,
                 public_url: str | None = None) -> Provider:
    """The configured adapter for an *active* provider row.

    ``outbox`` is where the local provider writes unless its row says otherwise
    (``Settings.outbox``); with ``public_url`` (``Settings.public_url``) each message
    asks the gateway for receipts at civisms' webhook URL. Raises ``ConfigError`` for an
    inactive row, an unknown extension key or unusable ``api_params``.
    """
    if not row.is_active:
        raise ConfigError(
            f"SMS provider {row.id} ({row.title})", "is_active = 0",
            "an active provider: enable it in CiviCRM (Administer > System Settings > "
            "SMS Providers) or choose another",
        )
    return adapter_class(row.name).from_row(row, outbox=outbox, public_url=public_url)
