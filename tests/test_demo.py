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


def _url(mariadb: DbParams, name: str) -> str:
    auth = mariadb.user + (f":{mariadb.password}" if mariadb.password else "")
    return f"mysql://{auth}@{mariadb.host}:{mariadb.port}/{name}"


def test_demo_json_is_one_document_and_a_rerun_replaces_its_own_database(
    mariadb: DbParams, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"civisms_t_demo_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("CIVISMS_OUTBOX", str(tmp_path / "outbox.jsonl"))
    try:
        first = CliRunner().invoke(main, ["demo", "--db-url", _url(mariadb, name), "--json"])
        again = CliRunner().invoke(main, ["demo", "--db-url", _url(mariadb, name), "--json"])
    finally:
        install.drop_database(mariadb, name)
    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)  # one document, nothing around it
    assert data["check"]["problems"] == []
    assert data["send"]["sent"] == 6
    assert data["mailing"]["status"]["status"] == "Complete"
    assert data["mailing"]["jobs_run"]["sent"] == 4
    assert data["next"].endswith("civisms mailing list")


def test_demo_refuses_a_database_it_did_not_make(
    mariadb: DbParams, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"civisms_t_demo_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("CIVISMS_OUTBOX", str(tmp_path / "outbox.jsonl"))
    install.install_site(mariadb, name, schema="subset", sample=True)
    try:
        with install.connection(mariadb, name) as conn:
            conn.cursor().execute("CREATE TABLE precious (id INT)")
            conn.cursor().execute("INSERT INTO precious VALUES (42)")
            conn.commit()
        result = CliRunner().invoke(main, ["demo", "--db-url", _url(mariadb, name)])
        with install.connection(mariadb, name) as conn:
            cur = conn.cursor()
            cur.execute("SELECT id FROM precious")
            kept = cur.fetchall()
    finally:
        install.drop_database(mariadb, name)
    assert result.exit_code == 2, result.output
    assert kept == ((42,),)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"database {name!r} exists and civisms demo did not make it" in lines[0]


@pytest.mark.parametrize("schema", ["information_schema", "mysql", "performance_schema", "sys"])
def test_demo_refuses_system_schemas(mariadb: DbParams, schema: str) -> None:
    result = CliRunner().invoke(main, ["demo", "--db-url", _url(mariadb, schema)])
    assert result.exit_code == 2, result.output
    assert "system schema" in result.stderr
    assert install.database_exists(mariadb, "mysql")
