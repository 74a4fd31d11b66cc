"""``civisms sync providers --via ROW``: one bridge row per gateway row, created then
updated with a fresh token, never printed; on both backends."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from civisms.cli import main

TWILIO = 3  # the sample site's Twilio row (inactive)


@pytest.fixture(params=["db", "api4"])
def backend(request: pytest.FixtureRequest, site, monkeypatch: pytest.MonkeyPatch) -> str:  # type: ignore[no-untyped-def]
    for name in ("CIVISMS_BACKEND", "CIVISMS_API_URL", "CIVISMS_API_KEY", "CIVISMS_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    if request.param == "api4":
        from api4_site import API_KEY, BASE_URL

        request.getfixturevalue("api4_site")
        monkeypatch.setenv("CIVISMS_BACKEND", "api4")
        monkeypatch.setenv("CIVISMS_API_URL", BASE_URL)
        monkeypatch.setenv("CIVISMS_API_KEY", API_KEY)
    else:
        monkeypatch.setenv("CIVISMS_DB_URL", site.url)
    monkeypatch.setenv("CIVISMS_PUBLIC_URL", "https://sms.example.org/")
    return str(request.param)


def sync(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["sync", "providers", *args])
    return result.exit_code, result.stdout, result.stderr


def bridge_rows(site) -> list[dict]:  # type: ignore[no-untyped-def]
    return site.query("SELECT p.*, ov.name AS api_type_name FROM civicrm_sms_provider p "
                      "LEFT JOIN civicrm_option_value ov ON ov.value = p.api_type AND "
                      "ov.option_group_id = (SELECT id FROM civicrm_option_group "
                      "WHERE name = 'sms_api_type') WHERE p.name = 'org.civisms.bridge'")


def test_sync_creates_then_updates_one_row_with_a_fresh_token(site, backend: str) -> None:  # type: ignore[no-untyped-def]
    code, out, err = sync("--via", str(TWILIO), "--json")
    assert code == 0, out + err
    first = json.loads(out)
    assert first["created"] is True and first["via"] == TWILIO
    assert first["api_url"] == "https://sms.example.org"
    rows = bridge_rows(site)
    assert len(rows) == 1
    row = rows[0]
    assert (row["id"], row["api_params"], row["api_url"], row["is_active"]) == (
        first["row_id"], f"civisms_via={TWILIO}", "https://sms.example.org", 1)
    assert row["api_type_name"] == "http" and row["domain_id"] == 1
    assert len(row["password"]) >= 40 and row["password"] not in out + err
    assert "extension is not installed" in err or "extension is unknown" in err

    code, out, err = sync("--via", str(TWILIO))
    assert code == 0, out + err
    assert out.startswith(f"updated SMS provider {row['id']} ")
    again = bridge_rows(site)
    assert [r["id"] for r in again] == [row["id"]]
    assert again[0]["password"] != row["password"] and again[0]["password"] not in out + err


def test_sync_refuses_unknown_rows_bridge_rows_and_a_missing_public_url(
    site, backend: str, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    code, _, err = sync("--via", "999")
    assert code == 2 and "no SMS provider row 999; gateway rows:" in err
    code, out, _ = sync("--via", str(TWILIO), "--json")
    bridge = json.loads(out)["row_id"]
    code, _, err = sync("--via", str(bridge))
    assert code == 2 and "is itself a civisms bridge row" in err
    monkeypatch.delenv("CIVISMS_PUBLIC_URL")
    code, _, err = sync("--via", str(TWILIO))
    assert code == 2 and "CIVISMS_PUBLIC_URL" in err
    assert len(bridge_rows(site)) == 1
