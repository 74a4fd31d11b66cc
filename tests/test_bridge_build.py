"""``civisms bridge build`` and which gateway a bridge row sends through."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from civisms.bridge import gateway_row, is_bridge
from civisms.cli import main
from civisms.errors import ConfigError
from civisms.model import SmsProvider


def test_build_writes_an_installable_zip(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["bridge", "build", "-o", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    path = Path(shown["zip"])
    assert path == tmp_path / f"org.civisms.bridge-{shown['version']}.zip"
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        info = archive.read("org.civisms.bridge/info.xml").decode()
    assert '<extension key="org.civisms.bridge" type="module">' in info
    assert f"<version>{shown['version']}</version>" in info
    assert {"org.civisms.bridge/org_civisms_bridge.php", "org.civisms.bridge/bridge.php",
            "org.civisms.bridge/api/v3/Job/CivismsSend.php",
            "org.civisms.bridge/managed/Job.mgd.php", "org.civisms.bridge/README.md"} <= names
    assert not [n for n in names if "/tests/" in n or n.endswith((".py", "phpunit.xml.dist"))]
    assert all(n.startswith("org.civisms.bridge/") for n in names)


def test_two_builds_are_the_same_bytes(tmp_path: Path) -> None:
    for name in ("a.zip", "b.zip"):
        result = CliRunner().invoke(main, ["bridge", "build", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert "wrote" in result.output
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def row(id_: int, name: str, params: dict[str, str] | None = None,
        active: bool = True) -> SmsProvider:
    return SmsProvider(id=id_, name=name, title=f"row {id_}", username=None, password="pw",
                       api_type="http", api_url=None, api_params=params or {},
                       is_active=active)


def test_a_bridge_row_sends_through_its_via_row_even_when_that_row_is_inactive() -> None:
    twilio = row(3, "org.civicrm.sms.twilio", active=False)
    bridge = row(5, "org.civisms.bridge", {"civisms_via": "3"})
    assert is_bridge(bridge) and not is_bridge(twilio)
    chosen = gateway_row(bridge, [twilio, bridge])
    assert chosen.id == 3 and chosen.is_active
    assert gateway_row(twilio, [twilio, bridge]) is twilio


@pytest.mark.parametrize(("params", "message"), [
    ({}, "no civisms_via line"),
    ({"civisms_via": "x"}, "civisms_via='x'"),
    ({"civisms_via": "99"}, "does not exist"),
    ({"civisms_via": "5"}, "another civisms bridge row"),
])
def test_a_bridge_row_without_a_usable_via_line_is_a_config_error(
    params: dict[str, str], message: str,
) -> None:
    bridge = row(5, "org.civisms.bridge", params)
    with pytest.raises(ConfigError, match=message) as caught:
        gateway_row(bridge, [row(3, "org.civicrm.sms.twilio"), bridge])
    assert "civisms sync providers" in str(caught.value) or "id of" in str(caught.value)


def test_every_file_of_the_extension_ships_in_the_wheel() -> None:
    # The zip is built from the installed package: a file left out of package-data would be
    # missing from the zip of a civisms installed from its wheel.
    import tomllib
    from fnmatch import fnmatch

    root = Path(__file__).resolve().parent.parent
    setuptools = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = setuptools["package-data"]["civisms.bridge.extension"]
    folder = root / setuptools["package-dir"]["civisms.bridge.extension"]
    for path in folder.rglob("*"):
        inside = path.relative_to(folder).as_posix()
        if path.is_dir() or inside.startswith(("tests/", ".")) or path.suffix == ".py" \
                or inside == "phpunit.xml.dist" or "__pycache__" in inside:
            continue
        assert any(fnmatch(inside, pattern) for pattern in patterns), inside
