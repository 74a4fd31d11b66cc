"""Fixtures for the provider tests (helpers live in ``provider_helpers``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from provider_helpers import FixedSite


@pytest.fixture
def fixed_site(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FixedSite]:
    """Serve ``site.rows`` to the CLI in place of a CiviCRM backend; outbox in tmp."""
    site = FixedSite([])
    monkeypatch.setattr("civisms.civicrm.connect", lambda settings: site)
    monkeypatch.setenv("CIVISMS_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.delenv("CIVISMS_CONFIG", raising=False)
    monkeypatch.delenv("CIVISMS_DEFAULT_REGION", raising=False)
    yield site


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """Run ``civisms ARGS`` in-process; stdout and stderr kept apart."""
    from civisms.cli import main

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return run
