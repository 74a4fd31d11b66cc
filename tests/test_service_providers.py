"""The service's provider rows: read once by one thread, a bad row reported once."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from civisms.config import Settings
from civisms.model import SmsProvider
from civisms.web.service import Service, UnknownProvider


class CountingCiviCRM:
    """Just enough of a backend: provider rows, counting the reads (slowly, as SQL is)."""

    def __init__(self) -> None:
        self.reads = 0
        self.lock = threading.Lock()

    def sms_providers(self, *, include_inactive: bool = True) -> list[SmsProvider]:
        with self.lock:
            self.reads += 1
        threading.Event().wait(0.05)
        return [row(1, "org.civisms.loopback"), row(2, "org.civisms.local")]

    def prepare_webhooks(self) -> None:
        pass

    def close(self) -> None:
        pass


def row(row_id: int, name: str) -> SmsProvider:
    return SmsProvider(id=row_id, name=name, title=name, username=None, password=None,
                       api_type="http", api_url=None, api_params={})


def test_sixteen_threads_at_start_read_the_rows_once_and_warn_once_about_a_bad_row(
        tmp_path: Any, caplog: pytest.LogCaptureFixture) -> None:
    backend = CountingCiviCRM()
    service = Service(Settings(outbox=tmp_path / "outbox.jsonl"),
                      connector=lambda _settings: backend)  # type: ignore[arg-type,return-value]
    barrier = threading.Barrier(16)

    def look_up(_n: int) -> str:
        barrier.wait()
        return type(service.provider(2)).__name__

    with caplog.at_level(logging.WARNING, logger="civisms.web.service"):
        with ThreadPoolExecutor(16) as pool:
            found = set(pool.map(look_up, range(16)))
        with pytest.raises(UnknownProvider):
            service.provider(1)
    service.close()
    assert len(found) == 1
    assert backend.reads == 1
    warnings = [r.getMessage() for r in caplog.records if "cannot take webhooks" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].startswith("SMS provider 1 ")
