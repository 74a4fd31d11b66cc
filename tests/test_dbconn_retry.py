"""``Database.retrying``: a transaction the server picks as a deadlock's victim runs again."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest

from civisms.civicrm.dbconn import Database
from civisms.errors import CiviCRMConflict

if TYPE_CHECKING:
    from conftest import SiteDb


def test_a_real_deadlock_victim_is_run_again_and_both_transactions_land(site: SiteDb) -> None:
    site.execute("CREATE TABLE t_pair (id INT PRIMARY KEY, n INT) ENGINE=InnoDB")
    site.execute("INSERT INTO t_pair VALUES (1, 0), (2, 0)")
    first, second = Database(site.params), Database(site.params)
    both_hold_one = threading.Barrier(2, timeout=10)
    tries = {"first": 0, "second": 0}
    errors: list[BaseException] = []

    def crosswise(db: Database, name: str, mine: int, theirs: int) -> None:
        tries[name] += 1
        with db.transaction():
            db.execute("UPDATE t_pair SET n = n + 1 WHERE id = %s", [mine])
            if tries[name] == 1:
                both_hold_one.wait()  # each holds one row and asks for the other's
            db.execute("UPDATE t_pair SET n = n + 1 WHERE id = %s", [theirs])

    def run(db: Database, name: str, mine: int, theirs: int) -> None:
        try:
            db.retrying(lambda: crosswise(db, name, mine, theirs))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(first, "first", 1, 2)),
               threading.Thread(target=run, args=(second, "second", 2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    first.close()
    second.close()
    assert errors == []
    assert sorted(tries.values()) == [1, 2]  # one was the victim, and ran once more
    assert [r["n"] for r in site.query("SELECT n FROM t_pair ORDER BY id")] == [2, 2]


def test_no_retry_inside_an_outer_transaction_and_a_bounded_number_of_tries(
        site: SiteDb) -> None:
    db = Database(site.params)
    calls = 0

    def conflict() -> None:
        nonlocal calls
        calls += 1
        raise CiviCRMConflict("database error 1213: Deadlock found")

    try:
        with pytest.raises(CiviCRMConflict), db.transaction():
            db.retrying(conflict)  # the server rolled back the outer transaction too
        assert calls == 1
        calls = 0
        with pytest.raises(CiviCRMConflict):
            db.retrying(conflict, attempts=3)
        assert calls == 3
    finally:
        db.close()
