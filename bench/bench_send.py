"""Benchmark: an individual send to 1,000 contacts through a gateway with 100 ms latency.

    .venv/bin/python bench/bench_send.py [--recipients 1000] [--latency 0.1] [--workers 32]

Builds a throw-away site on the local MariaDB (CIVISMS_TEST_DB_* as for the tests), runs
``civisms send``'s pipeline against a Twilio-compatible gateway on 127.0.0.1, and prints
the elapsed time against the sequential time (one message after the other, as CiviCRM
does), measured on a sample and extrapolated.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fake_gateway import fake_twilio

from civisms.civicrm import install
from civisms.civicrm.db import DbCiviCRM
from civisms.config import DbParams
from civisms.providers.registry import provider_for
from civisms.sending import individual
from civisms.sending.journal import Journal


def server() -> DbParams:
    return install.local_server()


def add_contacts(db: DbCiviCRM, count: int) -> list[int]:
    first = 100_000
    rows = [
        (first + i, "Individual", f"Person{i}", "Bench", f"Person{i} Bench") for i in range(count)
    ]
    db.db.conn.cursor().executemany(
        "INSERT INTO civicrm_contact (id, contact_type, first_name, last_name, display_name) "
        "VALUES (%s, %s, %s, %s, %s)", rows,
    )
    phones = [(first + i, 1, 1, f"+1 415 555 {i:04d}", 2) for i in range(count)]
    db.db.conn.cursor().executemany(
        "INSERT INTO civicrm_phone "
        "(contact_id, location_type_id, is_primary, phone, phone_type_id) "
        "VALUES (%s, %s, %s, %s, %s)", phones,
    )
    return [first + i for i in range(count)]


def run(db: DbCiviCRM, ids: list[int], url: str, workers: int) -> tuple[float, int]:
    db.db.execute(
        "UPDATE civicrm_sms_provider SET is_active = 1, api_url = %s, "
        "username = 'AC0123456789abcdef0123456789abcdef', password = 'x', "
        "api_params = 'From=+15005550006\ncivisms_mps=100000' WHERE id = 3", [url],
    )
    row = next(p for p in db.sms_providers() if p.id == 3)
    plan = individual.plan(db, name="bench", text="Hi {contact.first_name}!", provider=row,
                           contact_ids=ids, source_contact_id=1)
    adapter = provider_for(row)
    start = time.perf_counter()
    options = individual.default_options()
    options.concurrency, options.batch = workers, 2 * workers
    outcome = individual.send(db, Journal(db.db), plan, adapter, options=options)
    elapsed = time.perf_counter() - start
    adapter.close()
    return elapsed, len(outcome.sent)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--workers", type=int, default=individual.DEFAULT_WORKERS)
    parser.add_argument("--sample", type=int, default=20, help="messages timed sequentially")
    args = parser.parse_args()
    params = server()
    name = f"civisms_bench_{uuid.uuid4().hex[:8]}"
    install.install_site(params, name, schema="subset", sample=True)
    try:
        db = DbCiviCRM(DbParams(params.host, params.port, params.user, params.password, name))
        ids = add_contacts(db, args.recipients + args.sample)
        with fake_twilio(latency=args.latency) as gateway:
            seq, _ = run(db, ids[: args.sample], gateway.url, workers=1)
            sequential = seq / args.sample * args.recipients
            elapsed, sent = run(db, ids[args.sample :], gateway.url, workers=args.workers)
        db.close()
    finally:
        install.drop_database(params, name)
    print(f"recipients:          {args.recipients} (gateway latency {args.latency * 1000:.0f} ms)")
    print(f"sent:                {sent}")
    rate = sent / elapsed
    print(f"concurrent:          {elapsed:.2f} s  ({rate:.0f} msg/s, {args.workers} workers)")
    print(f"sequential (est.):   {sequential:.2f} s  (from {args.sample} messages one by one)")
    print(f"ratio:               {elapsed / sequential:.3f} of the sequential time "
          f"({sequential / elapsed:.1f}x faster)")


if __name__ == "__main__":
    main()
