"""The PHP side of the bridge: every file parses, and the provider class's PHPUnit tests
pass (PHP CLI, php-curl and PHPUnit come from Debian's packages, installed by setup.sh)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parent.parent / "civicrm-extension"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; run ./setup.sh (it installs php-cli and phpunit)")
    return path


def php_files() -> list[Path]:
    return sorted(EXTENSION.rglob("*.php"))


def test_the_extension_has_its_php_files() -> None:
    names = {p.relative_to(EXTENSION).as_posix() for p in php_files()}
    assert {"org_civisms_bridge.php", "bridge.php", "api/v3/Job/CivismsSend.php",
            "api/v3/Civisms/Inbound.php", "managed/Job.mgd.php"} <= names


@pytest.mark.parametrize("path", php_files(), ids=lambda p: p.relative_to(EXTENSION).as_posix())
def test_php_file_parses(path: Path) -> None:
    result = subprocess.run([_tool("php"), "-l", str(path)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_provider_class_unit_tests_pass() -> None:
    result = subprocess.run([_tool("phpunit"), "--configuration", "phpunit.xml.dist"],
                            cwd=EXTENSION, capture_output=True, text=True, check=False,
                            timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "OK (" in result.stdout
