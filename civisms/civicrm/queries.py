"""Named SQL blocks of the db backend, read once from ``queries.sql``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from civisms.sql import sql_path

_NAME = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)
_SAFE_COLUMN = re.compile(r"^[a-z_][a-z0-9_]*$", re.IGNORECASE)


@cache
def _load(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    pieces = _NAME.split(text)
    queries: dict[str, str] = {}
    for name, body in zip(pieces[1::2], pieces[2::2], strict=True):
        lines = [line for line in body.splitlines() if not line.lstrip().startswith("--")]
        queries[name] = "\n".join(lines).strip()
    return queries


def query(name: str, path: Path | None = None) -> str:
    """The SQL of the named block."""
    return _load(path or sql_path("queries.sql"))[name]


def placeholders(count: int, width: int = 1) -> str:
    """``%s, %s`` (or ``(%s, %s), (%s, %s)`` rows of ``width``) for ``count`` values."""
    if width == 1:
        return ", ".join(["%s"] * count)
    row = "(" + ", ".join(["%s"] * width) + ")"
    return ", ".join([row] * count)


def integers(values: Sequence[int]) -> str:
    """``1, 2, 3``: integers written into the SQL for an ``IN (...)``. ``int()`` guards
    the text; MySQLdb quoting each of thousands of ids costs more than the query."""
    return ", ".join([str(int(v)) for v in values])


def id_ranges(column: str, ids: Sequence[int]) -> str:
    """``(q.id BETWEEN 5 AND 132 OR q.id IN (140, 142))``: a condition true for exactly
    the sorted ``ids``. Runs of consecutive ids (a claim's usually are) become one range:
    the server reads a range in one index scan, an ``IN`` list of 128 ids in 128 lookups
    (about twice its CPU, docs/jobs.md "CPU per message")."""
    ranges: list[str] = []
    single: list[str] = []
    index = 0
    while index < len(ids):
        start = index
        while index + 1 < len(ids) and int(ids[index + 1]) == int(ids[index]) + 1:
            index += 1
        first, last = int(ids[start]), int(ids[index])
        if last - first >= 2:
            ranges.append(f"{column} BETWEEN {first} AND {last}")
        else:
            single.extend(str(i) for i in range(first, last + 1))
        index += 1
    if single:
        ranges.append(f"{column} IN ({', '.join(single)})")
    return "(" + " OR ".join(ranges or ["FALSE"]) + ")"


def column_list(columns: list[str], alias: str = "c") -> str:
    """A select list of already-validated column names."""
    for column in columns:
        if not _SAFE_COLUMN.match(column):
            raise ValueError(f"not a column name: {column!r}")
    return ", ".join(f"{alias}.`{column}`" for column in columns)
