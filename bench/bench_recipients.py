"""Benchmark (d): mass SMS recipients of a 1,000,000-contact site (goal: under 10 s).

    .venv/bin/python bench/bench_recipients.py [--contacts 1000000] [--pool-mb MB] [--keep]

Builds a throw-away site on the local MariaDB (CIVISMS_TEST_DB_* as for the tests) with
the subset schema and ``--contacts`` contacts made by set-based SQL (not timed): one
mobile each in a mix of formats (international, national, UK, a few shared and invalid
numbers), a second mobile for 10 %, a landline only for 5 %, the usual flags on a few
percent; all in an include group, 1 % also in an exclude group. Then it times
``DbMailings.compute_recipients`` (CiviCRM's rules + civisms' number checks + the write
of ``civicrm_mailing_recipients``): ``--repeat`` first computations (before each but the
first, the rows are deleted and the server waits until InnoDB has purged them, so each
starts from the same state) and then a recomputation. It prints every run, the median
first computation (runs on a shared 2-core machine vary by ±15 % or more within
minutes) and the server's InnoDB buffer pool: MariaDB's default is 128 MB, a site of
this size would give it more. ``--pool-mb`` resizes the pool for the run (SET GLOBAL,
put back afterwards).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from dataclasses import replace

from civisms.civicrm import install
from civisms.civicrm.db import DbCiviCRM
from civisms.civicrm.mailing_model import MailingDraft, MailingGroups
from civisms.civicrm.mailings import DbMailings
from civisms.config import DbParams
from civisms.errors import CiviCRMError

FIRST = 1000  # contact ids start here (the sample ids stay free)

# One statement per table, all from MariaDB's sequence engine (seq_1_to_N).
POPULATE = [
    """INSERT INTO civicrm_contact (id, contact_type, first_name, last_name, display_name,
         sort_name, do_not_sms, is_opt_out, is_deceased, is_deleted)
       SELECT {first} + seq, 'Individual', CONCAT('P', seq), 'Bench', CONCAT('P', seq, ' Bench'),
         CONCAT('Bench, P', seq), seq % 50 = 1, seq % 50 = 2, seq % 100 = 3, seq % 100 = 4
       FROM seq_1_to_{n}""",
    # Primary phone: 5 % landline only; otherwise a mobile in one of several formats.
    """INSERT INTO civicrm_phone (contact_id, location_type_id, is_primary, phone, phone_type_id)
       SELECT {first} + seq, 1, 1,
         CASE WHEN seq % 200 = 7 THEN '12345'
              WHEN seq % 100 = 8 THEN CONCAT('+1 415 ', 200 + ((seq - 1) DIV 10000) % 800, ' ',
                                             LPAD((seq - 1) % 10000, 4, '0'))
              WHEN seq % 10 = 5 THEN CONCAT('(628) ', 200 + (seq DIV 10000) % 800, '-',
                                            LPAD(seq % 10000, 4, '0'))
              WHEN seq % 20 = 6 THEN CONCAT('+44 7911 ', LPAD(seq % 1000000, 6, '0'))
              ELSE CONCAT('+1 415 ', 200 + (seq DIV 10000) % 800, ' ', LPAD(seq % 10000, 4, '0'))
         END,
         IF(seq % 20 = 9, 1, 2)
       FROM seq_1_to_{n}""",
    """INSERT INTO civicrm_phone (contact_id, location_type_id, is_primary, phone, phone_type_id)
       SELECT {first} + seq, 2, 0, CONCAT('+1 212 ', 200 + (seq DIV 10000) % 800, ' ',
              LPAD(seq % 10000, 4, '0')), 2
       FROM seq_1_to_{n} WHERE seq % 10 = 0""",
    """INSERT INTO civicrm_group (id, name, title, frontend_title, is_active, group_type)
       VALUES (2, 'everyone', 'Everyone', 'Everyone', 1, CONCAT(CHAR(1), '2', CHAR(1))),
              (3, 'exclude_me', 'Exclude me', 'Exclude me', 1, CONCAT(CHAR(1), '2', CHAR(1)))""",
    """INSERT INTO civicrm_group_contact (group_id, contact_id, status)
       SELECT 2, {first} + seq, 'Added' FROM seq_1_to_{n}""",
    """INSERT INTO civicrm_group_contact (group_id, contact_id, status)
       SELECT 3, {first} + seq, 'Added' FROM seq_1_to_{n} WHERE seq % 100 = 50""",
    """INSERT INTO civicrm_sms_provider (id, name, title, api_type, is_active, domain_id)
       VALUES (1, 'org.civisms.local', 'Local', 1, 1, 1)""",
]


def server() -> DbParams:
    return install.local_server()


def populate(civicrm: DbCiviCRM, count: int) -> float:
    start = time.perf_counter()
    for sql in POPULATE:
        civicrm.db.rowcount(sql.format(first=FIRST, n=count))
    civicrm.db.rowcount("ANALYZE TABLE civicrm_contact, civicrm_phone, civicrm_group_contact")
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--region", default="US")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--repeat", type=int, default=3, help="first computations to time")
    parser.add_argument("--pool-mb", type=int, help="InnoDB buffer pool for the run, in MB")
    args = parser.parse_args()
    params = server()
    before = pool_mb(params)
    if args.pool_mb:
        pool_mb(params, args.pool_mb)
    try:
        return run(args, params, pool_mb(params))
    finally:
        if args.pool_mb:
            pool_mb(params, before)


def pool_mb(params: DbParams, resize: int | None = None) -> int:
    """The server's InnoDB buffer pool in MB, after resizing it to ``resize`` MB if given."""
    with install.connection(params, "") as conn:
        cur = conn.cursor()
        if resize:
            cur.execute("SET GLOBAL innodb_buffer_pool_size = %s", [resize * 1024 * 1024])
            time.sleep(2)  # the resize completes in the background
        cur.execute("SELECT @@innodb_buffer_pool_size")
        return int(cur.fetchone()[0]) // (1024 * 1024)


def wait_for_purge(civicrm: DbCiviCRM) -> None:
    """Until InnoDB has purged the deleted rows (MariaDB 10.5.7+; else half a minute),
    so that the next run does not share the machine with the purge."""
    try:
        civicrm.db.rowcount("SET GLOBAL innodb_max_purge_lag_wait = 0")
    except CiviCRMError:
        time.sleep(30)


def run(args: argparse.Namespace, params: DbParams, pool_mb: int) -> int:
    name = f"civisms_bench_{uuid.uuid4().hex[:12]}"
    install.install_site(params, name, schema="subset", sample=False)
    civicrm = DbCiviCRM(replace(params, database=name))
    try:
        print(f"site {name}: {args.contacts:,} contacts; InnoDB buffer pool {pool_mb:,} MB")
        print(f"populate (not timed in the goal): {populate(civicrm, args.contacts):.1f} s")
        store = DbMailings(civicrm.db)
        groups = MailingGroups(include_groups=(2,), exclude_groups=(3,))
        mid = store.create(MailingDraft("bench", 1, None, groups, body_text="Hi", created_id=1))
        firsts = []
        runs = max(args.repeat, 1)
        for attempt in range(1, runs + 2):  # the last one recomputes the snapshot
            first = attempt <= runs
            if first and attempt > 1:
                civicrm.db.rowcount("DELETE FROM civicrm_mailing_recipients "
                                    "WHERE mailing_id = %s", [mid])
                wait_for_purge(civicrm)
            start = time.perf_counter()
            report = store.compute_recipients(mid, groups, region=args.region)
            total = time.perf_counter() - start
            if first:
                firsts.append(total)
            print(f"run {attempt} ({'first computation' if first else 'recomputation'}, "
                  f"{report.ranges} range(s) side by side): "
                  f"recipients {report.recipients:,} in {total:.2f} s")
            for step, seconds in report.timings.items():
                print(f"  {step:<14} {seconds:6.2f} s")
            if not first:
                for reason, n in sorted(report.skipped_by_reason().items()):
                    print(f"  skipped {reason:<17} {n:>9,}")
        median = statistics.median(firsts)
        print(f"first computation, median of {len(firsts)}: {median:.2f} s "
              f"(fastest {min(firsts):.2f} s, slowest {max(firsts):.2f} s; "
              f"goal < 10 s: {'met' if median < 10 else 'NOT met'})")
        written = civicrm.db.rows("SELECT COUNT(*) AS n FROM civicrm_mailing_recipients "
                                  "WHERE mailing_id = %s", [mid])[0]["n"]
        print(f"civicrm_mailing_recipients rows: {written:,}")
    finally:
        civicrm.close()
        if not args.keep:
            install.drop_database(params, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
