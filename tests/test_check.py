"""``civisms check`` on every CiviCRM version, through both backends, and its errors."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
import responses
from click.testing import CliRunner, Result

from civisms.cli import main

if TYPE_CHECKING:
    from conftest import SiteDb


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("CIVISMS_") and not name.startswith(("CIVISMS_TEST_", "CIVISMS_SHARED")):
            monkeypatch.delenv(name)


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


def assert_sample_site(report: dict, version: str) -> None:
    assert report["civicrm_version"] == version
    assert report["domain"] == {"id": 1, "name": "Default Domain Name", "contact_id": 1}
    assert report["activity_types"] == {
        "SMS": 4, "Mass SMS": 34, "SMS delivery": 44, "Inbound SMS": 45,
    }
    assert report["sms_templates"] == 2
    providers = {p["id"]: p for p in report["providers"]}
    assert providers[2]["adapter"] == "local" and providers[2]["is_default"]
    assert providers[3]["adapter"] == "twilio" and not providers[3]["is_active"]
    assert providers[1]["adapter"] is None
    assert report["problems"] == []


@pytest.mark.parametrize("version", ["6.17.2", "5.81.1", "5.69.5"])
def test_check_on_the_real_schema_of_each_version(
    make_site, version: str, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    site = make_site(version)
    monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    result = check("--json")
    assert result.exit_code == 0, result.output
    assert_sample_site(json.loads(result.output), version)


def test_check_through_api4(api4_site, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from api4_site import API_KEY, BASE_URL

    monkeypatch.setenv("CIVISMS_BACKEND", "api4")
    monkeypatch.setenv("CIVISMS_API_URL", BASE_URL)
    monkeypatch.setenv("CIVISMS_API_KEY", API_KEY)
    result = check("--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["backend"] == "api4"
    assert_sample_site(report, "6.17.2")


def test_check_text_output_masks_provider_secrets(
    site: SiteDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.execute("UPDATE civicrm_sms_provider SET password = 'hunter2-secret', "
                 "api_params = 'api_id=clickatell-key-42\nFrom=+15005550006' WHERE id = 3")
    monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    for args in ((), ("--json",)):
        result = check(*args)
        assert result.exit_code == 0
        assert "hunter2-secret" not in result.output
        assert "clickatell-key-42" not in result.output
    assert "Local outbox" in check().output


def test_missing_activity_type_is_a_problem(site: SiteDb, monkeypatch: pytest.MonkeyPatch) -> None:
    site.execute(
        "DELETE ov FROM civicrm_option_value ov JOIN civicrm_option_group og "
        "ON og.id = ov.option_group_id WHERE og.name = 'activity_type' AND ov.name = 'Inbound SMS'"
    )
    monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    result = check()
    assert result.exit_code == 1
    assert "problem: activity type 'Inbound SMS' is missing" in result.output


def test_unreachable_database_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVISMS_DB_URL", "mysql://root:pw-secret@127.0.0.1:1/civicrm")
    result = check()
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the CiviCRM database at 127.0.0.1:1" in lines[0]
    assert "pw-secret" not in result.output


def test_missing_setting_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    result = check()
    assert result.exit_code == 2
    assert result.output.strip() == (
        "civisms: configuration error: CIVISMS_DB_URL: found nothing; expected "
        "mysql://user:password@host:port/database (required when CIVISMS_BACKEND=db)"
    )


@responses.activate
def test_wrong_api_key_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    responses.add(responses.POST, "https://crm.example.org/civicrm/ajax/api4/Domain/get",
                  body="HTTP 401 Invalid credential", status=401, content_type="text/plain")
    monkeypatch.setenv("CIVISMS_BACKEND", "api4")
    monkeypatch.setenv("CIVISMS_API_URL", "https://crm.example.org")
    monkeypatch.setenv("CIVISMS_API_KEY", "wrong-key-123")
    result = check()
    assert result.exit_code == 2  # credentials: configuration
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Invalid credential" in lines[0]
    assert "wrong-key-123" not in result.output
