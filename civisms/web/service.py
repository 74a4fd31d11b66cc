"""What every route of the service shares: settings, CiviCRM per worker thread, adapters.

Routes are ``async`` and hand blocking work (SQL, API v4 calls, gateway sends) to worker
threads with ``Service.run``; each thread keeps its own CiviCRM backend (a db connection
is not shared between threads). Provider rows are read once and again every
``PROVIDER_TTL`` seconds, so a row edited in CiviCRM is picked up without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from civisms.civicrm import connect
from civisms.civicrm.base import CiviCRM
from civisms.config import Settings
from civisms.errors import ConfigError
from civisms.model import ReceiptResult, ReceiptUpdate
from civisms.providers.base import Provider
from civisms.providers.registry import adapter_class
from civisms.web.batch import ReceiptBatcher
from civisms.webhooks.keywords import Keywords

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Seconds a provider row is used before it is read again.
PROVIDER_TTL = 60.0
#: An unknown provider id re-reads the rows at most this often (ids are public URLs).
MISS_INTERVAL = 5.0
#: Worker threads (and so database connections) per process.
THREADS = 16


class UnknownProvider(LookupError):
    """No usable SMS provider row has this id."""


class Service:
    """The state of one service process."""

    def __init__(self, settings: Settings,
                 connector: Callable[[Settings], CiviCRM] = connect) -> None:
        self.settings = settings
        self.keywords = Keywords.from_settings(settings)
        self._connector = connector
        self._local = threading.local()
        self._backends: list[CiviCRM] = []
        self._lock = threading.Lock()
        self._providers: dict[int, Provider] = {}
        self._loaded_at = float("-inf")
        self._miss_at = float("-inf")
        self._prepared = False
        # One thread reads the rows while the others wait for its answer, and a row
        # that cannot take webhooks is reported once, not by every thread on every read.
        self._load_lock = threading.Lock()
        self._warned: set[tuple[int, str]] = set()
        self.limiter = anyio.CapacityLimiter(THREADS)
        self._batcher = ReceiptBatcher(self._open_prepared)

    def _open_prepared(self) -> CiviCRM:
        backend = self._connector(self.settings)
        if not self._prepared:
            self.prepare(backend)
        return backend

    def apply_receipt(self, update: ReceiptUpdate) -> ReceiptResult:
        """Write one receipt with the next batch (db); through this thread's backend (api4,
        whose calls gain nothing from batching)."""
        if self.settings.backend == "db":
            return self._batcher.apply(update)
        return self.civicrm().apply_receipt(update)

    @property
    def connector(self) -> Callable[[Settings], CiviCRM]:
        """How this service opens a CiviCRM backend (for threads that need their own)."""
        return self._connector

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """Run blocking ``func(*args)`` in a worker thread."""
        return await anyio.to_thread.run_sync(func, *args, limiter=self.limiter)

    def civicrm(self) -> CiviCRM:
        """This thread's backend, opened on first use."""
        backend = getattr(self._local, "civicrm", None)
        if backend is None:
            backend = self._connector(self.settings)
            self._local.civicrm = backend
            with self._lock:
                self._backends.append(backend)
        if not self._prepared:
            self.prepare(backend)
        return backend

    def prepare(self, backend: CiviCRM) -> None:
        """Create civisms' webhook tables and indexes once per process."""
        with self._lock:
            if self._prepared:
                return
            backend.prepare_webhooks()
            self._prepared = True

    def provider(self, provider_id: int) -> Provider:
        """The adapter of row ``provider_id`` (inactive rows too: their receipts still come)."""
        if self._needs_load(provider_id):
            with self._load_lock:
                # Another thread may have read the rows while this one waited.
                if self._needs_load(provider_id, claim=True):
                    self._load_providers()
        with self._lock:
            found = self._providers.get(provider_id)
        if found is None:
            raise UnknownProvider(provider_id)
        return found

    def _needs_load(self, provider_id: int, claim: bool = False) -> bool:
        now = time.monotonic()
        with self._lock:
            stale = now - self._loaded_at > PROVIDER_TTL
            missing = provider_id not in self._providers and now - self._miss_at > MISS_INTERVAL
            if missing and claim:
                self._miss_at = now
        return stale or missing

    def _load_providers(self) -> None:
        rows = self.civicrm().sms_providers(include_inactive=True)
        adapters: dict[int, Provider] = {}
        for row in rows:
            try:
                adapters[row.id] = adapter_class(row.name).from_row(
                    row, outbox=self.settings.outbox, public_url=self.settings.public_url)
            except ConfigError as exc:
                if (row.id, str(exc)) not in self._warned:
                    self._warned.add((row.id, str(exc)))
                    log.warning("SMS provider %s cannot take webhooks: %s", row.id, exc)
        with self._lock:
            old, self._providers = self._providers, adapters
            self._loaded_at = time.monotonic()
        for adapter in old.values():
            adapter.close()

    def close(self) -> None:
        """Close every backend and adapter this process opened."""
        self._batcher.close()
        with self._lock:
            backends, self._backends = self._backends, []
            adapters, self._providers = self._providers, {}
        for backend in backends:
            backend.close()
        for adapter in adapters.values():
            adapter.close()
