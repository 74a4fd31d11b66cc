"""``Database.insert_rows``: the hot path's own quoting stores every value exactly."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from civisms.civicrm.dbconn import Database

if TYPE_CHECKING:
    from conftest import SiteDb

HOSTILE = ["O'Brien", 'say "hi"', "back\\slash", "100% {rows} {0} %s %(x)s", "é ß 😀 日本",
           "line\nbreak\r\ttab", "\x00nul", "'); DROP TABLE civicrm_contact; --", ""]


def test_insert_rows_round_trips_hostile_text_and_every_value_type(site: SiteDb) -> None:
    site.execute("CREATE TABLE t_values (id INT AUTO_INCREMENT PRIMARY KEY, s TEXT, n BIGINT,"
                 " d DATETIME(6), day DATE, money DECIMAL(10,2), flag TINYINT) "
                 "DEFAULT CHARSET=utf8mb4")
    stamp = datetime(2026, 12, 4, 20, 1, 2, 345678)
    rows = [(text, -(2**40) + i, stamp, date(2026, 12, 4), Decimal("12.34"), True)
            for i, text in enumerate(HOSTILE)] + [(None, None, None, None, None, False)]
    db = Database(site.params)
    try:
        first = db.insert_rows("INSERT INTO t_values (s, n, d, day, money, flag) VALUES {rows}",
                               rows)
    finally:
        db.close()
    stored = site.query("SELECT id, s, n, d, day, money, flag FROM t_values ORDER BY id")
    assert stored[0]["id"] == first
    assert [r["s"] for r in stored] == [*HOSTILE, None]
    assert [r["n"] for r in stored] == [-(2**40) + i for i in range(len(HOSTILE))] + [None]
    assert {r["d"] for r in stored[:-1]} == {stamp}
    assert stored[0]["day"] == date(2026, 12, 4) and stored[0]["money"] == Decimal("12.34")
    assert [r["flag"] for r in stored] == [1] * len(HOSTILE) + [0]
    assert site.scalar("SELECT COUNT(*) FROM civicrm_contact") > 0  # nothing was dropped
