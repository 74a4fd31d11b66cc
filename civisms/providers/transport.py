"""The HTTP client an adapter sends with, chosen by its provider row.

``api_params`` ``civisms_http``: ``requests`` (the default: what ``responses`` intercepts
in tests), ``urllib3`` (about a third of the CPU per call) or ``lean`` (civisms' own
keep-alive HTTP/1.1 client of the mass-sending hot path, ``lean_http``; ``http.client``,
its earlier name, still selects it); ``civisms_pool``: connections kept per
host (default 32; a sender with more messages in flight wants as many).
"""

from __future__ import annotations

from civisms.providers.base import ProviderConfig, parse_float
from civisms.providers.lean_http import LeanHttpClient
from civisms.providers.pooled import HttpClient

DEFAULT_POOL = 32


def http_client(
    name: str, config: ProviderConfig, *, secrets: tuple[str, ...] | None = None
) -> HttpClient | LeanHttpClient:
    """The client for an adapter named ``name`` built from ``config``."""
    shown = config.secrets() if secrets is None else secrets
    choice = config.params.get("civisms_http", "requests")
    if choice in ("lean", "http.client"):
        return LeanHttpClient(name, timeout=config.timeout, secrets=shown)
    pool = max(1, int(parse_float(config.params, "civisms_pool", DEFAULT_POOL)))
    return HttpClient(name, timeout=config.timeout, secrets=shown,
                      transport=choice, pool_size=pool)  # type: ignore[arg-type]
