"""Pure pieces of the mass-SMS job: settings values, queue hashes, quiet hours."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from civisms.civicrm.jobstore import php_value, queue_hashes
from civisms.errors import ConfigError
from civisms.sending.quiet import QuietHours


@pytest.mark.parametrize(("raw", "value"), [
    ("i:1000;", 1000), ('s:4:"1000";', "1000"), ("b:1;", True), ("b:0;", False),
    ("N;", None), (None, None), ("d:0.5;", 0.5),
])
def test_php_setting_values(raw: str | None, value: object) -> None:
    assert php_value(raw) == value


def test_queue_hash_is_civicrm_shaped() -> None:
    drawn = queue_hashes(2000) + queue_hashes(1) + queue_hashes(0)
    hashes = set(drawn)
    assert len(drawn) == len(hashes) == 2001
    assert all(re.fullmatch(r"[a-z0-9]{16}", h) for h in hashes)


def test_quiet_hours_across_midnight() -> None:
    quiet = QuietHours.parse("21:00-08:00")
    assert quiet.active(datetime(2026, 1, 1, 22, 30))
    assert quiet.active(datetime(2026, 1, 2, 7, 59))
    assert not quiet.active(datetime(2026, 1, 2, 8, 0))
    assert quiet.until(datetime(2026, 1, 1, 22, 30)) == datetime(2026, 1, 2, 8, 0)
    assert quiet.reason(datetime(2026, 1, 1, 23, 0)) == "quiet hours until 08:00"
    assert QuietHours.parse("12:00-13:00").reason(datetime(2026, 1, 1, 11, 0)) is None


@pytest.mark.parametrize("spec", ["", "8-9", "25:00-08:00", "10:00-10:00"])
def test_quiet_hours_refuse_bad_specs(spec: str) -> None:
    with pytest.raises(ConfigError):
        QuietHours.parse(spec)


def test_quiet_hours_in_a_zone() -> None:

    quiet = QuietHours.parse("21:00-08:00", "Europe/Paris")
    # 21:30 UTC is 22:30 in Paris in January: quiet.
    assert quiet.active(datetime(2026, 1, 1, 21, 30, tzinfo=UTC))
    assert not quiet.active(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))


def imported_by(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh Python has imported after running ``code``."""
    import json
    import subprocess
    import sys

    check = f"\nprint(json.dumps(sorted(m for m in {modules!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", "import json, sys\n" + code + check],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_the_mass_sending_path_starts_without_requests_or_urllib3() -> None:
    # About 35 ms of the start-up that cron pays every minute (docs/jobs.md, "Start-up").
    assert imported_by(
        "import civisms.cli.jobs, civisms.sending.jobs, civisms.sending.delivery, "
        "civisms.civicrm.db, civisms.providers.twilio, civisms.providers.kannel, "
        "civisms.providers.lean_http", ("requests", "urllib3")) == []


def test_a_helper_process_starts_without_pydantic() -> None:
    # Its task carries the settings it needs, parsed: about 0.14 s of CPU less per helper
    # (docs/jobs.md, "Start-up"). A dismissed helper (empty task) has made every import.
    assert imported_by(
        "import io, runpy\nsys.stdin = io.StringIO('')\n"
        "runpy.run_module('civisms.sending.helpers', run_name='__main__')",
        ("pydantic", "pydantic_settings", "civisms.config", "civisms.sending.delivery"),
    ) == ["civisms.sending.delivery"]


def test_overlapping_engines_put_the_garbage_collector_back_as_it_was() -> None:
    # The service runs engines in threads: the last one to finish restores the settings.
    import gc

    from civisms.sending.engine import GC_YOUNG, _sending_gc

    before = gc.get_threshold()
    first, second = _sending_gc(), _sending_gc()
    first.__enter__()
    second.__enter__()
    assert gc.get_threshold()[0] == max(before[0], GC_YOUNG) and gc.get_freeze_count() > 0
    first.__exit__(None, None, None)
    assert gc.get_threshold()[0] == max(before[0], GC_YOUNG)  # the second still runs
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
