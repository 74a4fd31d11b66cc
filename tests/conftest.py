"""Shared pytest fixtures: throw-away CiviCRM databases on a real MariaDB server.

Server: ``CIVISMS_TEST_DB_HOST`` / ``_PORT`` / ``_USER`` / ``_PASSWORD`` (defaults
127.0.0.1 / 3306 / root / empty). Every database made here is called ``civisms_t_<hex>``
and is dropped at teardown (and at session end, even after failures).

Fixtures
    mariadb                  session   DbParams of the server (``database`` empty)
    make_site                function  factory ``make_site(schema="subset", sample=True)``
                                       → SiteDb: a fresh private database, dropped after the test
    site                     function  ``make_site()``: subset schema + sample site
    reference_site_factory   session   factory ``(version, sample=True) -> SiteDb``, one shared
                                       database per (version, sample) for the whole session:
                                       treat it as read-only (use ``make_site(version)`` to write)
    reference_site           session   ``reference_site_factory(request.param)``, default
                                       "6.17.2"; parametrize with ``indirect=True``

Speed: each (schema, sample) pair is installed once per session as a template; a test's
database is then a clone of it (``install.clone_database``), about 0.2 s for the subset.
Tests needing a reference schema are skipped when its dump is not in the shared folder
(and fail under CI=true: CI tests every version).
"""

from __future__ import annotations

import atexit
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

import MySQLdb
import MySQLdb.cursors
import pytest
from api4_site import api4_civicrm, api4_site  # noqa: F401 - fixtures for every test module

from civisms.civicrm import install
from civisms.config import DbParams, Settings
from civisms.errors import CiviCRMError

DB_PREFIX = "civisms_t_"


def _server_params() -> DbParams:
    return install.local_server()


@dataclass(frozen=True)
class SiteDb:
    """One CiviCRM database made for the tests."""

    name: str
    params: DbParams  # with ``database`` set to ``name``
    schema: str
    sample: bool

    @property
    def url(self) -> str:
        """``mysql://user:password@host:port/name`` for ``CIVISMS_DB_URL``."""
        p = self.params
        auth = quote(p.user, safe="")
        if p.password:
            auth += ":" + quote(p.password, safe="")
        url = f"mysql://{auth}@{p.host}:{p.port}/{self.name}"
        if p.unix_socket:
            url += "?unix_socket=" + quote(p.unix_socket)
        return url

    def settings(self, **overrides: Any) -> Settings:
        """civisms Settings for the db backend on this database (overrides win)."""
        values: dict[str, Any] = {"backend": "db", "db_url": self.url}
        values.update(overrides)
        return Settings(**values)

    def _connect(self) -> Any:
        conn = install.connect(self.params)
        conn.cursorclass = MySQLdb.cursors.DictCursor
        return conn

    def query(self, sql: str, args: Any = None) -> list[dict[str, Any]]:
        """Rows of a SELECT as dicts (``%s`` placeholders, mysqlclient style)."""
        conn = self._connect()
        try:
            cur = conn.cursor()
            cur.execute(sql, args)
            return list(cur.fetchall())
        finally:
            conn.close()

    def scalar(self, sql: str, args: Any = None) -> Any:
        """The first column of the first row, or None."""
        rows = self.query(sql, args)
        return next(iter(rows[0].values())) if rows else None

    def execute(self, sql: str, args: Any = None) -> int:
        """Run one writing statement (autocommit); return the affected row count."""
        conn = self._connect()
        try:
            return int(conn.cursor().execute(sql, args))
        finally:
            conn.close()


class _Registry:
    """Databases this session created; dropped at session end (and at exit, as a backstop)."""

    def __init__(self, params: DbParams) -> None:
        self.params = params
        self.names: set[str] = set()
        self.templates: dict[tuple[str, bool], tuple[str, install.Structure]] = {}
        self.shared: dict[tuple[str, bool], SiteDb] = {}
        atexit.register(self.drop_all)

    def new_name(self) -> str:
        name = f"{DB_PREFIX}{uuid.uuid4().hex[:16]}"
        self.names.add(name)
        return name

    def drop(self, name: str) -> None:
        try:
            install.drop_database(self.params, name)
        except CiviCRMError:
            return
        self.names.discard(name)

    def drop_all(self) -> None:
        for name in sorted(self.names):
            self.drop(name)
        self.templates.clear()
        self.shared.clear()

    def site(self, name: str, schema: str, sample: bool) -> SiteDb:
        return SiteDb(name, replace(self.params, database=name), schema, sample)

    def template(self, schema: str, sample: bool) -> tuple[str, install.Structure]:
        key = (schema, sample)
        if key not in self.templates:
            name = self.new_name()
            install.install_site(self.params, name, schema=schema, sample=sample)
            self.templates[key] = (name, install.read_structure(self.params, name))
        return self.templates[key]

    def clone(self, schema: str, sample: bool) -> SiteDb:
        source, structure = self.template(schema, sample)
        name = self.new_name()
        install.clone_database(self.params, source, name, structure=structure)
        return self.site(name, schema, sample)


def _require_schema(schema: str) -> None:
    if schema != "subset" and install.reference_schema_path(schema) is None:
        message = f"reference schema {schema} not available (set CIVISMS_SHARED)"
        if os.environ.get("CI"):
            pytest.fail(message + ": CI must test every CiviCRM version")
        pytest.skip(message)


@pytest.fixture(scope="session")
def mariadb() -> DbParams:
    """The test MariaDB server; the session fails (not skips) when it is unreachable."""
    params = _server_params()
    problem = None
    try:
        with install.connection(params, "") as conn:
            conn.cursor().execute("SELECT 1")
    except CiviCRMError as exc:
        problem = str(exc)
    if problem:
        pytest.fail(
            f"the test MariaDB server is needed: {problem}. Set CIVISMS_TEST_DB_HOST/PORT/USER/"
            "PASSWORD to a server where this user may create and drop databases.",
            pytrace=False,
        )
    return params


@pytest.fixture(scope="session")
def _site_registry(mariadb: DbParams) -> Iterator[_Registry]:
    registry = _Registry(mariadb)
    try:
        yield registry
    finally:
        registry.drop_all()


MakeSite = Callable[..., SiteDb]


@pytest.fixture
def make_site(_site_registry: _Registry) -> Iterator[MakeSite]:
    """Factory: ``make_site(schema="subset", sample=True)`` → a fresh private SiteDb."""
    made: list[str] = []

    def factory(schema: str = "subset", sample: bool = True) -> SiteDb:
        _require_schema(schema)
        site = _site_registry.clone(schema, sample)
        made.append(site.name)
        return site

    try:
        yield factory
    finally:
        for name in made:
            _site_registry.drop(name)


@pytest.fixture
def site(make_site: MakeSite) -> SiteDb:
    """A private database: the schema subset with the sample site loaded."""
    return make_site()


@pytest.fixture(scope="session")
def reference_site_factory(_site_registry: _Registry) -> Callable[..., SiteDb]:
    """Factory ``(version, sample=True)`` → a session-wide full reference site (read-only)."""

    def factory(version: str = "6.17.2", sample: bool = True) -> SiteDb:
        _require_schema(version)
        key = (version, sample)
        if key not in _site_registry.shared:
            _site_registry.shared[key] = _site_registry.clone(version, sample)
        return _site_registry.shared[key]

    return factory


@pytest.fixture(scope="session")
def reference_site(
    request: pytest.FixtureRequest, reference_site_factory: Callable[..., SiteDb]
) -> SiteDb:
    """A full reference site with the sample data; ``request.param`` picks the version."""
    return reference_site_factory(getattr(request, "param", "6.17.2"))
