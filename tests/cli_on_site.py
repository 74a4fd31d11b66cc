"""``civisms`` run in-process on a test site, as the CLI tests use it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from civisms.cli import main

if TYPE_CHECKING:
    from conftest import SiteDb


def cli_on(site: SiteDb, monkeypatch: pytest.MonkeyPatch,
           tmp_path: Path) -> Callable[..., Result]:
    """``invoke(*args, stdin=None)``: the command line on ``site`` (db backend, outbox in
    ``tmp_path``), with no configuration of the machine's leaking in."""
    for name in ("CIVISMS_CONFIG", "CIVISMS_DEFAULT_REGION", "CIVISMS_QUIET_HOURS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CIVISMS_BACKEND", "db")
    monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    monkeypatch.setenv("CIVISMS_OUTBOX", str(tmp_path / "outbox.jsonl"))

    def invoke(*args: str, stdin: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), input=stdin)

    return invoke
