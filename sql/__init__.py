"""Every SQL file civisms runs, in one folder, shipped inside the wheel as ``civisms.sql``.

- ``queries.sql``, ``job_queries.sql``, ``mailing_queries.sql``: named blocks (``-- name: x``)
  read by ``civisms.civicrm.queries``; ``job_queries.sql`` also holds the DDL of civisms'
  own tables (``civisms_*``).
- ``site/``: the CiviCRM 6.17.2 schema subset, its seed rows and the sample site that
  ``civisms demo`` and the tests build.

The folder is the top-level ``sql/`` of the source tree, mapped onto the package
``civisms.sql`` by ``package-dir`` in pyproject.toml.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path


@cache  # the hot path names a query per statement; importlib.resources costs ~30 µs a call
def sql_path(name: str) -> Path:
    """The file ``name`` (e.g. ``"queries.sql"``, ``"site/sample-site.sql"``) of this folder."""
    # Wheels and editable installs keep package data as plain files, so a Path is safe.
    return Path(str(files(__name__).joinpath(name)))
