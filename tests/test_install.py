"""civisms.civicrm.install: splitting dumps, loading them, errors, database lifecycle."""

from __future__ import annotations

import tomllib
import uuid
from dataclasses import replace
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from civisms.civicrm import install
from civisms.config import DbParams
from civisms.errors import CiviCRMAuthError, CiviCRMError, CiviCRMNotFound, CiviCRMUnreachable

if TYPE_CHECKING:
    from conftest import SiteDb


def test_split_handles_delimiters_comments_and_quotes() -> None:
    text = (
        "-- a comment; with a semicolon\n"
        "/*M!999999\\- enable the sandbox mode */ \n"
        "/*!40101 SET NAMES utf8mb4 */;\n"
        "INSERT INTO t VALUES ('a;b', \"c;d\", 'it''s', 'back\\'slash;'); # trailing\n"
        "/* plain */ SELECT `odd;name`\n  FROM t;\n"
        "DELIMITER ;;\n"
        "CREATE FUNCTION f() RETURNS INT BEGIN RETURN 1; END;;\n"
        "/*!50003 CREATE*/ /*!50003 TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET @a = 1;\n"
        " END */;;\n"
        "DELIMITER ;\n"
        "SELECT 2;\n"
        "SELECT 3"
    )
    statements = list(install.split_sql(text))
    assert [s.sql for s in statements] == [
        "/*!40101 SET NAMES utf8mb4 */",
        "INSERT INTO t VALUES ('a;b', \"c;d\", 'it''s', 'back\\'slash;')",
        "SELECT `odd;name`\n  FROM t",
        "CREATE FUNCTION f() RETURNS INT BEGIN RETURN 1; END",
        "/*!50003 CREATE*/ /*!50003 TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET @a = 1;\n"
        " END */",
        "SELECT 2",
        "SELECT 3",
    ]
    assert [s.compound for s in statements] == [False, False, False, True, True, False, False]
    assert [s.line for s in statements] == [3, 4, 5, 8, 9, 12, 13]


def test_load_sql_runs_functions_triggers_and_reports_the_failing_line(
    mariadb: DbParams, tmp_path: Path
) -> None:
    name = f"civisms_t_{uuid.uuid4().hex[:16]}"
    install.create_database(mariadb, name)
    try:
        path = tmp_path / "x.sql"
        path.write_text(
            "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20), n VARCHAR(20));\n"
            "DELIMITER ;;\n"
            "CREATE FUNCTION digits(s VARCHAR(20)) RETURNS VARCHAR(20) DETERMINISTIC\n"
            "BEGIN RETURN REGEXP_REPLACE(s, '[^0-9]', ''); END;;\n"
            "CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW BEGIN\n"
            "  SET NEW.n = digits(NEW.v);\nEND;;\n"
            "DELIMITER ;\n"
            "INSERT INTO t (id, v) VALUES (1, '+33 6;12');\n",
            encoding="utf-8",
        )
        assert install.load_sql_file(mariadb, name, path) == 4
        with install.connection(mariadb, name) as conn:
            cur = conn.cursor()
            cur.execute("SELECT n FROM t")
            assert cur.fetchall() == (("33612",),)
        bad = tmp_path / "bad.sql"
        bad.write_text("SELECT 1;\n\nINSERT INTO missing VALUES (1);\nSELECT 2;\n")
        with pytest.raises(CiviCRMError) as info:
            install.load_sql_file(mariadb, name, bad)
        assert "bad.sql (statement at line 3)" in str(info.value)
        assert "missing" in str(info.value)
        assert "\n" not in str(info.value)
    finally:
        install.drop_database(mariadb, name)


def test_wrong_password_is_an_auth_error_without_the_password(mariadb: DbParams) -> None:
    params = replace(mariadb, password="s3cret-Pa55")
    with pytest.raises(CiviCRMAuthError) as info:
        install.create_database(params, "civisms_t_never")
    assert "s3cret-Pa55" not in str(info.value)
    assert "the database refused user 'root'" in str(info.value)


def test_unreachable_server(mariadb: DbParams) -> None:
    params = DbParams("127.0.0.1", 1, "root", "pw-not-shown", "x")
    with pytest.raises(CiviCRMUnreachable) as info:
        install.install_site(params, "civisms_t_never")
    assert "127.0.0.1:1" in str(info.value)
    assert "pw-not-shown" not in str(info.value)


def test_bad_names_and_unknown_schema(mariadb: DbParams) -> None:
    with pytest.raises(CiviCRMError, match="invalid database name"):
        install.create_database(mariadb, "x`; DROP DATABASE y")
    with pytest.raises(CiviCRMError, match="unknown schema"):
        install.install_site(mariadb, "civisms_t_never", schema="4.7")


def test_reference_schema_path_follows_civisms_shared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mariadb: DbParams
) -> None:
    (tmp_path / "civicrm").mkdir()
    (tmp_path / "civicrm" / "schema-5.81.1.sql").write_text("SELECT 1;")
    monkeypatch.setenv("CIVISMS_SHARED", str(tmp_path))
    assert install.reference_schema_path("5.81.1") == tmp_path / "civicrm" / "schema-5.81.1.sql"
    assert install.reference_schema_path("6.17.2") is None
    with pytest.raises(CiviCRMNotFound, match="CIVISMS_SHARED"):
        install.install_site(mariadb, "civisms_t_never", schema="6.17.2")
    monkeypatch.setenv("CIVISMS_SHARED", str(tmp_path / "civicrm"))
    assert install.reference_schema_path("5.81.1") == tmp_path / "civicrm" / "schema-5.81.1.sql"


def test_install_site_refuses_an_existing_database_unless_replace(site: SiteDb) -> None:
    with pytest.raises(CiviCRMError, match="exists"):
        install.install_site(site.params, site.name, sample=False)
    assert site.scalar("SELECT COUNT(*) FROM civicrm_contact") == 22  # untouched
    install.install_site(site.params, site.name, sample=False, replace=True)
    assert site.scalar("SELECT COUNT(*) FROM civicrm_contact") == 1


def test_site_fixture_is_private_and_settings_point_at_it(make_site: object, site: SiteDb) -> None:
    settings = site.settings(default_region="FR")
    params = settings.db_params()
    assert params.database == site.name and settings.backend == "db"
    assert settings.default_region == "FR"
    site.execute("DELETE FROM civicrm_phone")
    other = make_site()  # type: ignore[operator]
    assert other.name != site.name
    assert other.scalar("SELECT COUNT(*) FROM civicrm_phone") == 21
    assert other.query("SELECT id FROM civicrm_contact WHERE id = %s", (3,)) == [{"id": 3}]


def test_the_demo_site_files_ship_in_the_package() -> None:
    # An installed civisms (a wheel, not a checkout) builds the demo site from these.
    pyproject = tomllib.loads((install.REPO_ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["civisms.sql"]
    sql_dir = install.REPO_ROOT / "sql"
    for path in (install.SCHEMA_FILE, install.SEED_FILE, install.SAMPLE_FILE):
        assert path.is_file(), path
        inside = path.relative_to(sql_dir).as_posix()
        assert any(fnmatch(inside, pattern) for pattern in patterns), inside


def test_every_sql_file_lives_in_sql_and_ships() -> None:
    root = install.REPO_ROOT
    assert not list((root / "civisms").rglob("*.sql")), "SQL belongs in the top-level sql/"
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["civisms.sql"]
    for path in (root / "sql").rglob("*.sql"):
        inside = path.relative_to(root / "sql").as_posix()
        assert any(fnmatch(inside, pattern) for pattern in patterns), inside


def test_the_package_list_covers_every_subpackage() -> None:
    # pyproject lists the packages by hand (civisms.sql is mapped from sql/, the CiviCRM
    # extension from civicrm-extension/): a new
    # subpackage left out of the list would be missing from the wheel.
    root = install.REPO_ROOT
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    listed = set(pyproject["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(root).parts) for p in (root / "civisms").rglob("__init__.py")
    }
    mapped = set(pyproject["tool"]["setuptools"]["package-dir"])
    assert found | mapped == listed
