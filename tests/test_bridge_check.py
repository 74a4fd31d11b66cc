"""``civisms check`` reports the bridge: installed or not, enabled, and whether CiviCRM's
own "Send Scheduled SMS" would compete with it. On the real schema of each version."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from civisms.cli import main


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CIVISMS_BACKEND", "CIVISMS_API_URL", "CIVISMS_API_KEY", "CIVISMS_CONFIG"):
        monkeypatch.delenv(name, raising=False)


def check_json(site, monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    result = CliRunner().invoke(main, ["check", "--json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def enable_bridge(site, active: int = 1) -> None:  # type: ignore[no-untyped-def]
    site.execute("INSERT INTO civicrm_extension (type, full_name, name, label, file, is_active) "
                 "VALUES ('module', 'org.civisms.bridge', 'civisms bridge', 'civisms bridge', "
                 "'bridge', %s)", (active,))


def set_job(site, action: str, active: int) -> None:  # type: ignore[no-untyped-def]
    if not site.query("SELECT id FROM civicrm_job WHERE api_action = %s", (action,)):
        site.execute("INSERT INTO civicrm_job (domain_id, run_frequency, name, api_entity, "
                     "api_action, is_active) VALUES (1, 'Always', %s, 'Job', %s, 0)",
                     (action, action))
    site.execute("UPDATE civicrm_job SET is_active = %s WHERE api_action = %s", (active, action))


def add_bridge_row(site, via: str) -> int:  # type: ignore[no-untyped-def]
    return site.execute(
        "INSERT INTO civicrm_sms_provider (name, title, username, password, api_type, api_url, "
        "api_params, is_default, is_active, domain_id) VALUES ('org.civisms.bridge', "
        "'civisms', 'civisms', 'token', 1, 'http://127.0.0.1:8787', %s, 0, 1, 1)",
        (f"civisms_via={via}",))


@pytest.mark.parametrize("version", ["6.17.2", "5.81.1", "5.69.5"])
def test_enabled_bridge_with_core_job_active_is_a_problem(
    make_site, version: str, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    site = make_site(version)
    enable_bridge(site)
    set_job(site, "process_sms", 1)
    set_job(site, "civisms_send", 1)
    add_bridge_row(site, "1")
    code, report = check_json(site, monkeypatch)
    assert code == 1
    bridge = report["bridge"]
    assert (bridge["status"], bridge["core_job_active"], bridge["bridge_job_active"]) == (
        "enabled", True, True)
    assert any("'Send Scheduled SMS' (Job.process_sms) is active beside" in p
               for p in report["problems"])
    shown = [p for p in report["providers"] if p["name"] == "org.civisms.bridge"]
    assert [p["adapter"] for p in shown] == ["bridge via 1"]
    assert not any("(org.civisms.bridge) has no civisms adapter" in w for w in report["warnings"])

    set_job(site, "process_sms", 0)
    code, report = check_json(site, monkeypatch)
    assert code == 0, report["problems"]
    assert report["bridge"]["core_job_active"] is False


def test_disabled_bridge_with_active_rows_is_a_warning(
    make_site, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    site = make_site("6.17.2")
    enable_bridge(site, active=0)
    add_bridge_row(site, "1")
    code, report = check_json(site, monkeypatch)
    assert code == 0
    assert report["bridge"]["status"] == "disabled"
    assert any("civisms bridge extension is disabled" in w for w in report["warnings"])


def test_bridge_not_installed_and_unknown(
    make_site, site, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    code, report = check_json(make_site("6.17.2"), monkeypatch)
    assert code == 0 and report["bridge"]["status"] == "not installed"
    # The subset schema has no civicrm_extension table: the database cannot tell.
    code, report = check_json(site, monkeypatch)
    assert code == 0 and report["bridge"]["status"] == "unknown"
