"""civisms as an admin installs it: a wheel, a fresh virtualenv, an empty folder.

The wheel is built from this checkout and installed with its dependencies into a new
virtualenv (once per test session, about 30 s, most of it pip installing the
dependencies); the commands then run from an empty folder, so nothing of the checkout
(its ``sql/`` folder, its ``civisms/`` package) can stand in for what the wheel ships.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from civisms.civicrm import install
from civisms.config import DbParams

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.wheel


def _run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin/`` folder of a fresh virtualenv holding civisms installed from its wheel."""
    base = tmp_path_factory.mktemp("wheel")
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", base / "dist",
                 ROOT)
    assert built.returncode == 0, built.stderr[-2000:]
    wheels = list((base / "dist").glob("civisms-*.whl"))
    assert len(wheels) == 1, wheels
    venv = base / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv)
    assert made.returncode == 0, made.stderr
    # This session's pip installs into the new environment (--python): no pip inside it.
    done = _run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install",
                "-q", "--disable-pip-version-check", wheels[0])
    assert done.returncode == 0, done.stderr[-2000:]
    return venv / "bin"


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVISMS_")}
    env.pop("PYTHONPATH", None)
    env.update(values)
    return env


def test_help_from_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    for flag in ("--help", "-h"):
        result = _run(installed / "civisms", flag, cwd=tmp_path, env=_env())
        assert result.returncode == 0, result.stderr
        assert "Connect your own CiviCRM" in result.stdout
        assert "CIVISMS_DB_URL" in result.stdout
    where = _run(installed / "python", "-c", "import civisms, civisms.sql; "
                 "print(civisms.__file__); print(civisms.sql.__file__)", cwd=tmp_path, env=_env())
    assert where.returncode == 0, where.stderr
    for line in where.stdout.split():
        assert Path(line).is_relative_to(installed.parent), line  # the wheel's copy


def test_demo_and_check_json_from_an_empty_folder(
    installed: Path, tmp_path: Path, mariadb: DbParams
) -> None:
    name = f"civisms_t_wheel_{uuid.uuid4().hex[:8]}"
    auth = mariadb.user + (f":{mariadb.password}" if mariadb.password else "")
    url = f"mysql://{auth}@{mariadb.host}:{mariadb.port}/{name}"
    try:
        demo = _run(installed / "civisms", "demo", "--db-url", url, cwd=tmp_path, env=_env())
        check = _run(installed / "civisms", "check", "--json", cwd=tmp_path,
                     env=_env(CIVISMS_DB_URL=url))
    finally:
        install.drop_database(mariadb, name)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "ok: civisms can work with this site" in demo.stdout
    assert "jobs run: sent 4, failed 0, unknown 0" in demo.stdout
    assert (tmp_path / "var" / "outbox.jsonl").is_file()  # CIVISMS_OUTBOX's default
    assert check.returncode == 0, check.stderr
    report = json.loads(check.stdout)
    assert report["connected"] and report["problems"] == []
    assert report["civicrm_version"]
