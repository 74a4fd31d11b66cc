"""``id_ranges``: the claim's id lists as ranges select exactly those ids in MariaDB."""

from __future__ import annotations

import random

from civisms.civicrm import install
from civisms.civicrm.dbconn import DbParams
from civisms.civicrm.queries import id_ranges


def test_ranges_select_exactly_the_ids(mariadb: DbParams) -> None:
    draw = random.Random(17)
    cases = [[], [5], [5, 6], [5, 6, 7], [1, 3, 5], list(range(10, 138)),
             [1, 2, 3, 4, 7, 9, 10, 12, 13, 14]]
    cases += [sorted(draw.sample(range(1, 400), draw.randint(1, 200))) for _ in range(30)]
    with install.connection(mariadb, "") as conn:
        cur = conn.cursor()
        for ids in cases:
            cur.execute("WITH RECURSIVE numbers (seq) AS (SELECT 1 UNION ALL SELECT seq + 1 "
                        "FROM numbers WHERE seq < 400) "
                        f"SELECT seq FROM numbers WHERE {id_ranges('seq', ids)} ORDER BY seq")
            assert [row[0] for row in cur.fetchall()] == ids


def test_consecutive_ids_are_one_range() -> None:
    assert id_ranges("q.id", list(range(10, 138))) == "(q.id BETWEEN 10 AND 137)"
    assert id_ranges("q.id", [4, 5, 9]) == "(q.id IN (4, 5, 9))"
    assert id_ranges("q.id", []) == "(FALSE)"
