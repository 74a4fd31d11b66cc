"""Mass SMS on a real CiviCRM: core's "Send Scheduled SMS" vs the bridge's job.

Needs a real CiviCRM site (``--site-env`` or ``CIVISMS_REAL_SITE``: its site.env, see
tests/real_civicrm.py). Installs the bridge from the zip, starts ``civisms serve`` on the
site's database with civisms' local outbox as the gateway, makes a group of N contacts
with a mobile each, then two identical mass SMS to it, made as CiviCRM's wizard makes
them and sent one after the other:

  core     CiviCRM's Job.process_sms, which calls the provider once per recipient, one at a
           time: here the bridge's provider class, each message a POST /v1/messages
           (timed until CiviCRM's job returns and until the last message left civisms);
  civisms  the bridge's Job.civisms_send, which asks civisms to run its job engine.

Both are timed inside one booted CiviCRM (boot time left out), checked against CiviCRM's
own mailing report (delivered = N) and the gateway's outbox (each number once), and
everything is deleted afterwards.

    CIVISMS_REAL_SITE=/path/to/site.env .venv/bin/python bench/bench_bridge.py --recipients 2000
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from real_civicrm import RealSite, site_from_env
from real_civisms import (
    Running,
    civisms_on,
    drop_test_data,
    mailing_report,
    make_group,
    make_mailing,
)

TIMED = r"""
$started = microtime(TRUE);
$result = civicrm_api3('Job', '%(action)s', []);
echo json_encode(['seconds' => microtime(TRUE) - $started, 'values' => $result['values']]);
"""


def load_site(path: str | None) -> RealSite:
    if not path:
        sys.exit("bench_bridge: give --site-env or set CIVISMS_REAL_SITE (a real site's site.env)")
    return site_from_env(path)


def run_one(running: Running, label: str, action: str, group: int, tag: str,
            count: int) -> tuple[float, float, int]:
    """Make a mailing, run ``action``, wait for every message to leave; (job seconds,
    seconds until the last message left civisms, delivered per CiviCRM's report)."""
    site = running.site
    mailing = make_mailing(site, f"bench {label} {tag}", "Hi {contact.first_name}, bench " + label,
                           running.bridge_row, group)
    before = len(running.sent())
    started = time.monotonic()
    timed = site.php(TIMED % {"action": action}, timeout=3600)
    while len(running.sent()) - before < count and time.monotonic() - started < 3600:
        time.sleep(0.05)
    left = time.monotonic() - started
    report = mailing_report(site, mailing)
    sent = running.sent()[before:]
    numbers = [m["to"] for m in sent]
    if len(numbers) != count or len(set(numbers)) != count or report["delivered"] != count:
        print(f"  {label}: WARNING sent {len(numbers)} ({len(set(numbers))} distinct), "
              f"CiviCRM delivered {report['delivered']}, expected {count}")
    drop_test_data(site, "-", [mailing])
    return float(timed["seconds"]), left, int(report["delivered"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-env", default=os.environ.get("CIVISMS_REAL_SITE"))
    parser.add_argument("--recipients", type=int, default=1000)
    args = parser.parse_args()
    site = load_site(args.site_env)
    tag = f"Bench{secrets.token_hex(3)}"
    with tempfile.TemporaryDirectory() as folder, \
            civisms_on(site, Path(folder), gateway_params="civisms_mps=100000") as running:
        group = make_group(site, args.recipients, tag)
        try:
            core_job, core_left, core_done = run_one(running, "core", "process_sms", group,
                                                     tag, args.recipients)
            ours_job, ours_left, ours_done = run_one(running, "civisms", "civisms_send",
                                                     group, tag, args.recipients)
        finally:
            drop_test_data(site, tag, [])
    n = args.recipients
    print(f"{n} recipients, CiviCRM {site.env.get('CIVI_RELEASE', '?')}, gateway: civisms' "
          "local outbox")
    print(f"core Job.process_sms (via the bridge provider): job {core_job:7.2f} s "
          f"({n / core_job:8.0f} msg/s); all out {core_left:7.2f} s; delivered {core_done}")
    print(f"bridge Job.civisms_send (civisms' engine):      job {ours_job:7.2f} s "
          f"({n / ours_job:8.0f} msg/s); all out {ours_left:7.2f} s; delivered {ours_done}")
    print(f"ratio (core job time / civisms job time): {core_job / ours_job:.1f}x")


if __name__ == "__main__":
    main()
