"""Helper processes start before the queue is built, then get their task or go home."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from civisms.sending import helpers
from civisms.sending.jobs import RunConfig

if TYPE_CHECKING:
    from conftest import SiteDb


def test_a_dismissed_helper_exits_at_once_without_a_word() -> None:
    procs = helpers.spawn(2)
    started = time.monotonic()
    helpers.dismiss(procs)
    assert [p.returncode for p in procs] == [0, 0]
    assert time.monotonic() - started < 30


def test_a_helper_handed_a_job_that_is_gone_reports_it(site: SiteDb) -> None:
    procs = helpers.spawn(1)
    helpers.hand(procs, site.settings(), RunConfig(workers=2), job_id=999_999, limit=0)
    (tally,) = helpers.join(procs)
    assert tally.stopped == "job gone" and tally.handled == 0
