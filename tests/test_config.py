"""Settings: environment, TOML file, one-line errors, secrets never shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from civisms.cli import main
from civisms.config import load_settings, parse_db_url
from civisms.errors import ConfigError

SECRET = "s3cr3t-Pa55"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("CIVISMS_") and not name.startswith("CIVISMS_TEST_"):
            monkeypatch.delenv(name)


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVISMS_BACKEND", "api4")
    monkeypatch.setenv("CIVISMS_API_URL", "https://crm.example.org")
    monkeypatch.setenv("CIVISMS_DEFAULT_REGION", "fr")
    monkeypatch.setenv("CIVISMS_MAX_SEGMENTS", "3")
    settings = load_settings()
    assert settings.backend == "api4"
    assert settings.default_region == "FR"
    assert settings.max_segments == 3
    assert settings.domain_id == 1


def test_toml_file_is_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "civisms.toml"
    path.write_text('backend = "api4"\napi_url = "https://a.example"\ndomain_id = 2\n')
    monkeypatch.setenv("CIVISMS_DOMAIN_ID", "3")
    settings = load_settings(path)
    assert settings.backend == "api4"
    assert settings.api_url == "https://a.example"
    assert settings.domain_id == 3


def test_db_url_forms() -> None:
    params = parse_db_url(f"mysql://civi:{SECRET}@db.example:3307/civicrm")
    assert (params.host, params.port, params.user, params.database) == (
        "db.example", 3307, "civi", "civicrm",
    )
    assert params.password == SECRET
    assert SECRET not in repr(params)
    socket = parse_db_url("mysql://civi@localhost/civicrm?unix_socket=/run/mysqld/mysqld.sock")
    assert socket.unix_socket == "/run/mysqld/mysqld.sock"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("CIVISMS_BACKEND", "sql", "CIVISMS_BACKEND: found 'sql'; expected db or api4"),
        ("CIVISMS_MAX_SEGMENTS", "11", "CIVISMS_MAX_SEGMENTS: found '11'"),
        ("CIVISMS_DEFAULT_REGION", "XX", "CIVISMS_DEFAULT_REGION: found 'XX'"),
        ("CIVISMS_DOMAIN_ID", "one", "CIVISMS_DOMAIN_ID: found 'one'"),
        ("CIVISMS_API_URL", "crm.example.org", "CIVISMS_API_URL: found 'crm.example.org'"),
    ],
)
def test_malformed_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert str(err.value).startswith(expected)
    assert "\n" not in str(err.value)


def test_malformed_db_url_never_shows_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVISMS_DB_URL", f"postgres://civi:{SECRET}@db/civicrm")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "CIVISMS_DB_URL" in str(err.value)
    assert SECRET not in str(err.value)


def test_missing_db_url_is_reported_when_needed() -> None:
    with pytest.raises(ConfigError, match="CIVISMS_DB_URL: found nothing"):
        load_settings().db_params()


def test_missing_api_key_is_reported_when_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVISMS_BACKEND", "api4")
    monkeypatch.setenv("CIVISMS_API_URL", "https://crm.example.org")
    with pytest.raises(ConfigError, match="CIVISMS_API_KEY: found nothing"):
        load_settings().require_api()


def test_config_command_masks_every_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVISMS_DB_URL", f"mysql://civi:{SECRET}@db/civicrm")
    monkeypatch.setenv("CIVISMS_API_KEY", SECRET + "key")
    monkeypatch.setenv("CIVISMS_SITE_KEY", SECRET + "site")
    for args in (["config"], ["config", "--json"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert SECRET not in result.output
    shown = json.loads(CliRunner().invoke(main, ["config", "--json"]).output)
    assert shown["db_url"] == "mysql://civi:********@db/civicrm"
    assert shown["api_key"] == "********"


def test_bad_setting_on_the_command_line_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CIVISMS_BACKEND", "nope")
    result = CliRunner().invoke(main, ["config"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line]
    assert lines == [
        "civisms: configuration error: CIVISMS_BACKEND: found 'nope'; expected db or api4"
    ]
