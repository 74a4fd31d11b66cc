"""MariaDB's CPU per message for the mass job's statements alone, without a gateway.

    .venv/bin/python bench/bench_sql.py [--recipients 20000] [--claim 128] [--repeat 3]

``bench_jobs`` measures the whole job, where the gateway, the sender threads and the
server share two CPUs and MariaDB's figure moves by ±15 % between runs. This drives the
same ``JobStore`` and ``Recorder`` code the job uses, from one thread on one connection:
the queue is built, then rows are claimed ``--claim`` at a time and recorded as accepted
by the gateway (delivered row, ``SMS delivery`` activity and its contacts, Change Log row,
Mass SMS target, final state), in batches of twice the claim, as the engine writes them.
Prints the CPU of the server thread serving that connection (``/proc``) per message, for
the queue building, the claims and the writes apart, so a change to a statement shows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_jobs import drop, make_site  # noqa: E402
from cpu import TICK, _ticks, mysqld_pid  # noqa: E402

from civisms.civicrm.db import DbCiviCRM  # noqa: E402
from civisms.civicrm.jobrecord import Recorder  # noqa: E402
from civisms.civicrm.jobstore import JobStore, Settle  # noqa: E402

TEXT = "Hi {name}, the Spring drive starts Saturday at 10:00. Reply STOP to opt out."


class ServerThread:
    """CPU seconds of the MariaDB thread serving one connection."""

    def __init__(self, civicrm: DbCiviCRM) -> None:
        tid = civicrm.db.rows("SELECT TID FROM information_schema.PROCESSLIST "
                              "WHERE ID = CONNECTION_ID()")[0]["TID"]
        self.stat = Path(f"/proc/{mysqld_pid()}/task/{tid}/stat")

    def seconds(self) -> float:
        return _ticks(self.stat) / TICK


class Lane:
    """One throw-away site worked by the job's own ``JobStore`` and ``Recorder``."""

    def __init__(self, recipients: int, claim: int) -> None:
        from civisms.sending.jobs import _now

        self.now = _now
        self.claim_size = claim
        self.recipients = recipients
        self.site = make_site(recipients, port=9, mps=1_000_000)
        self.civicrm = DbCiviCRM(self.site.params)
        self.store = JobStore(self.civicrm, f"bench:{os.getpid()}")
        self.store.prepare()
        self.mailer = self.store.mailer_settings()
        self.server = ServerThread(self.civicrm)
        self.spent = {"queue": 0.0, "claim": 0.0, "write": 0.0}
        self.cursor, self.pending, self.sent = 0, [], 0

    def build_queue(self) -> None:
        store, now = self.store, self.now
        for parent in store.due_parents(self.mailer, now()):
            store.split_parent(parent["id"], 0, now())
        (child,) = store.due_children(self.mailer, now())
        start = self.server.seconds()
        store.start_child(child, now())
        self.spent["queue"] = self.server.seconds() - start
        self.job = store.job(child["id"]) or child
        self.recorder = Recorder(store, store.mailing(self.job["mailing_id"]) or {}, self.job,
                                 self.mailer)

    def step(self) -> bool:
        """One claim, and a write once two claims are pending; False when done."""
        start = self.server.seconds()
        rows, self.cursor = self.store.claim(self.job, self.cursor, self.claim_size, self.now())
        self.spent["claim"] += self.server.seconds() - start
        self.pending += [
            Settle(r.queue_id, r.contact_id, "sent", message_id=f"SM{r.queue_id:032x}",
                   text=TEXT.format(name=f"P{r.contact_id}"), activity_status="Completed")
            for r in rows]
        if len(self.pending) >= 2 * self.claim_size or (not rows and self.pending):
            start = self.server.seconds()
            self.recorder.write(self.pending, self.now())
            self.spent["write"] += self.server.seconds() - start
            self.sent += len(self.pending)
            self.pending = []
        return bool(rows)

    def per_message(self) -> dict[str, float]:
        assert self.sent == self.recipients, (self.sent, self.recipients)
        return {k: v / self.sent * 1000 for k, v in self.spent.items()}

    def drop(self) -> None:
        self.civicrm.db.close()
        drop(self.site)


def _keys_with_state(lane: Lane) -> None:
    lane.civicrm.db.execute(
        "ALTER TABLE civisms_queue_state DROP INDEX civisms_queue_state_job, "
        "DROP INDEX civisms_queue_state_mailing, "
        "ADD INDEX civisms_queue_state_job (job_id, state), "
        "ADD INDEX civisms_queue_state_mailing (mailing_id, state)")


#: The claimed rows with phone and contact flags, read after the claim until December 2026.
_CLAIMED_ROWS = (
    "SELECT q.id, q.contact_id, p.phone, c.is_opt_out, c.do_not_sms "
    "FROM civicrm_mailing_event_queue q LEFT JOIN civicrm_phone p ON p.id = q.phone_id "
    "LEFT JOIN civicrm_contact c ON c.id = p.contact_id WHERE {where} ORDER BY q.id")
#: The re-read after locking until early December 2026: state, delivered and bounce rows.
_RECHECK_ALL = (
    "SELECT s.event_queue_id AS id FROM civisms_queue_state s "
    "WHERE s.event_queue_id IN ({ids}) UNION SELECT d.event_queue_id "
    "FROM civicrm_mailing_event_delivered d WHERE d.event_queue_id IN ({ids}) "
    "UNION SELECT b.event_queue_id FROM civicrm_mailing_event_bounce b "
    "WHERE b.event_queue_id IN ({ids})")


def _earlier_claim(lane: Lane, *, recheck_all: bool) -> None:
    """The claim as it was: ``IN`` lists of ids, the claimed rows read in a statement of
    their own after the claim, and (``recheck_all``) delivered and bounce rows re-read too."""
    from civisms.civicrm.jobstore import Claimed, sql
    from civisms.civicrm.queries import integers

    store = lane.store
    # Ids only (MariaDB then leaves out the joins of phone and contact: table elimination).
    candidates = sql("candidates").replace(
        "SELECT q.id, q.contact_id, p.phone, c.is_opt_out, c.do_not_sms", "SELECT q.id")
    recheck = _RECHECK_ALL if recheck_all else (
        "SELECT s.event_queue_id AS id FROM civisms_queue_state s "
        "WHERE s.event_queue_id IN ({ids})")

    def claim(job, after, size, now):  # type: ignore[no-untyped-def]
        with store.transaction():
            ids = [r["id"] for r in store.db.rows(candidates, {
                "job_id": job["id"], "after": after, "size": size})]
            if not ids:
                return [], after
            locked = [r["id"] for r in store.db.rows(
                sql("claim_lock").format(ids=f"q.id IN ({integers(ids)})"))]
            if locked:
                done = {r["id"] for r in store.db.rows(recheck.format(ids=integers(locked)))}
                locked = [i for i in locked if i not in done]
            if locked:
                store.db.insert_rows(sql("insert_claims"), [
                    (i, job["mailing_id"], job["id"], "sending", store.worker, now)
                    for i in locked])
        if not locked:
            return [], ids[-1]
        rows = store.db.rows(_CLAIMED_ROWS.format(where=f"q.id IN ({integers(locked)})"))
        return [Claimed(r["id"], r["contact_id"], r["phone"],
                        bool(r["is_opt_out"]) and bool(r["do_not_sms"])) for r in rows], ids[-1]

    store.claim = claim  # type: ignore[method-assign]


def _settle_update(lane: Lane) -> None:
    """Final states by ``UPDATE ... CASE``, one statement per state, instead of
    ``INSERT ... ON DUPLICATE KEY UPDATE`` (tried: 2 % less in all, not taken)."""
    from civisms.civicrm.dbconn import _values
    from civisms.civicrm.queries import id_ranges

    store = lane.store

    def settle_states(job, outcomes, now):  # type: ignore[no-untyped-def]
        groups: dict[str, list] = {}
        for o in outcomes:
            groups.setdefault(o.state, []).append(o)
        for state, group in groups.items():
            ids = id_ranges("event_queue_id", sorted(o.queue_id for o in group))
            quoted = _values(store.db.conn, [(o.message_id,) for o in group])[1:-1]
            cases = " ".join(f"WHEN {o.queue_id} THEN {text}"
                             for o, text in zip(group, quoted.split("), ("), strict=True))
            store.db.execute(
                f"UPDATE civisms_queue_state SET state = '{state}', "
                f"provider_message_id = CASE event_queue_id {cases} END "
                f"WHERE {ids}")

    store.settle_states = settle_states  # type: ignore[method-assign]


def _floor(lane: Lane) -> None:
    """Measure only: CiviCRM's own rows and nothing of civisms' (no claim, no state rows,
    a plain read of the next rows): the least any job writing those rows costs the server."""
    from civisms.civicrm.jobstore import Claimed

    store = lane.store
    next_rows = _CLAIMED_ROWS.format(where="q.job_id = %s AND q.id > %s") + " LIMIT %s"

    def claim(job, after, size, now):  # type: ignore[no-untyped-def]
        rows = store.db.rows(next_rows, (job["id"], after, size))
        if not rows:
            return [], after
        return [Claimed(r["id"], r["contact_id"], r["phone"], False) for r in rows], \
            rows[-1]["id"]

    store.claim = claim  # type: ignore[method-assign]
    store.settle_states = lambda job, outcomes, now: None  # type: ignore[method-assign]


#: Variants ``--compare`` can try on lane B, beside an unchanged lane A: earlier forms of
#: the job's statements (B/A above 1 is what a change saved), ideas not taken, and the floor.
VARIANTS: dict[str, Callable[[Lane], None]] = {
    # Before December 2026: the state in civisms_queue_state's secondary keys.
    "keys-with-state": _keys_with_state,
    # Until this session: IN lists, and the claimed rows read after the claim.
    "in-lists": lambda lane: _earlier_claim(lane, recheck_all=False),
    # Before December 2026: also delivered and bounce rows re-read after locking.
    "recheck-claim": lambda lane: _earlier_claim(lane, recheck_all=True),
    "both-before": lambda lane: [_keys_with_state(lane),
                                 _earlier_claim(lane, recheck_all=True)][0],
    # Not taken: about 10 %, but rows could then point at a contact deleted meanwhile.
    "no-fk-checks": lambda lane: lane.civicrm.db.execute("SET SESSION foreign_key_checks = 0"),
    # Not taken: 2 % (B/A 0.974-0.987), for a statement built of 200 CASE branches.
    "settle-update": _settle_update,
    # Not a way to run: CiviCRM's rows alone, the goal's lower bound.
    "floor": _floor,
}


def one_run(recipients: int, claim: int,
            log: Callable[[bool], None] | None = None) -> dict[str, float]:
    lane = Lane(recipients, claim)
    try:
        if log:
            log(True)
            # The globals reach only new connections, and the lane's is open already.
            lane.civicrm.db.execute("SET SESSION long_query_time = 0, slow_query_log = 1")
        lane.build_queue()
        while lane.step():
            pass
        if log:
            log(False)
        return lane.per_message()
    finally:
        lane.drop()


def compare(recipients: int, claim: int, variant: str) -> tuple[dict[str, float], ...]:
    """Lanes A (as is) and B (with ``variant``) side by side, a claim each in turn, so that
    the machine's drift weighs on both alike."""
    a, b = Lane(recipients, claim), Lane(recipients, claim)
    try:
        VARIANTS[variant](b)
        a.build_queue()
        b.build_queue()
        going = [a, b]
        while going:
            going = [lane for lane in going if lane.step()]
        return a.per_message(), b.per_message()
    finally:
        a.drop()
        b.drop()


def statements(recipients: int, claim: int) -> None:
    """One run with MariaDB's slow log at 0 s into ``mysql.slow_log``: time per statement kind."""
    from conftest import _server_params

    from civisms.civicrm.dbconn import connect

    conn = connect(_server_params(), database=False)
    cur = conn.cursor()
    cur.execute("SELECT @@log_output, @@slow_query_log, @@long_query_time")
    saved = cur.fetchone()

    def log(on: bool) -> None:
        if on:
            cur.execute("TRUNCATE mysql.slow_log")
            cur.execute("SET GLOBAL log_output = 'TABLE', long_query_time = 0, "
                        "slow_query_log = 1")
        else:
            cur.execute("SET GLOBAL log_output = %s, slow_query_log = %s, "
                        "long_query_time = %s", saved)

    try:
        one_run(recipients, claim, log)
    finally:
        log(False)
    cur.execute(
        "SELECT LEFT(REGEXP_REPLACE(CONVERT(sql_text USING utf8mb4), '[0-9]+', 'N'), 70) AS k, "
        "COUNT(*), SUM(TIME_TO_SEC(query_time)) AS s FROM mysql.slow_log "
        "WHERE db LIKE 'civisms_bench_%%' GROUP BY k ORDER BY s DESC LIMIT 25")
    print(f"server time per statement kind, {recipients:,} messages (s, count):")
    for kind, count, seconds in cur.fetchall():
        print(f"    {float(seconds):7.3f} {count:6d}  {' '.join(kind.split())}")
    cur.execute("TRUNCATE mysql.slow_log")
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=20000)
    parser.add_argument("--claim", type=int, default=128)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--statements", action="store_true",
                        help="also log every statement (slow log at 0 s) and print the "
                             "server time per kind of statement (one run)")
    parser.add_argument("--compare", choices=sorted(VARIANTS),
                        help="run an unchanged lane A beside a lane B with this variant, "
                             "interleaved, and print both")
    args = parser.parse_args()
    if args.compare:
        pairs = [compare(args.recipients, args.claim, args.compare) for _ in range(args.repeat)]
        print(f"MariaDB CPU per message (ms), A as is, B {args.compare}, "
              f"{args.recipients:,} recipients each, claims of {args.claim}:")
        for part in ("queue", "claim", "write"):
            print(f"    {part:6} A {statistics.median(p[0][part] for p in pairs):.4f}  "
                  f"B {statistics.median(p[1][part] for p in pairs):.4f}")
        ratios = [sum(p[1].values()) / sum(p[0].values()) for p in pairs]
        print(f"    total B/A {statistics.median(ratios):.3f}  "
              f"({', '.join(f'{r:.3f}' for r in ratios)})")
        return
    if args.statements:
        statements(args.recipients, args.claim)
        return
    runs = []
    for _ in range(args.repeat):
        runs.append(one_run(args.recipients, args.claim))
        time.sleep(2)
    print(f"MariaDB CPU per message, {args.recipients:,} recipients, claims of {args.claim}, "
          f"median of {args.repeat} (ms):")
    for part in ("queue", "claim", "write"):
        values = [r[part] for r in runs]
        print(f"    {part:6} {statistics.median(values):.4f}  "
              f"({', '.join(f'{v:.4f}' for v in values)})")
    totals = [sum(r.values()) for r in runs]
    print(f"    total  {statistics.median(totals):.4f}  "
          f"({', '.join(f'{v:.4f}' for v in totals)})")


if __name__ == "__main__":
    main()
