"""The README's first command: ``civisms demo`` builds the sample site, checks and texts it."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from civisms.civicrm import install
from civisms.cli import main
from civisms.config import DbParams


def test_demo_builds_checks_and_sends(
    mariadb: DbParams, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"civisms_t_demo_{uuid.uuid4().hex[:8]}"
    auth = mariadb.user + (f":{mariadb.password}" if mariadb.password else "")
    url = f"mysql://{auth}@{mariadb.host}:{mariadb.port}/{name}"
    outbox = tmp_path / "outbox.jsonl"
    monkeypatch.setenv("CIVISMS_OUTBOX", str(outbox))
    try:
        result = CliRunner().invoke(main, ["demo", "--db-url", url], catch_exceptions=False)
    finally:
        install.drop_database(mariadb, name)
    assert result.exit_code == 0, result.output
    assert "ok: civisms can work with this site" in result.output
    assert "sent 6 SMS via Local outbox" in result.output
    assert "jobs run: sent 4, failed 0, unknown 0" in result.output
    assert "'Demo: Spring drive (mass SMS)': Complete" in result.output
    texts = [(m["to"], m["text"]) for m in map(json.loads, outbox.read_text().splitlines())]
    assert ("+33612345678", "Hi Hélène, the Spring drive starts Saturday!") in texts
    assert ("+14155550199", "Hi friend, the Spring drive starts Saturday!") in texts
    assert ("+33612345678", "Hello Hélène: Spring drive, Saturday 10am!") in texts
    assert len(texts) == 6 + 4
