"""Where a mass SMS's CPU goes, stage by stage: a sampled profile of ``jobs run``.

    .venv/bin/python bench/profile_jobs.py [--recipients 100000] [--workers N]

Runs ``bench/bench_jobs.py`` case (a) under py-spy (``--gil``: only the thread holding
Python's lock, so waiting threads count for nothing), then sorts every sample into the
stage of the send it belongs to, by the innermost civisms frame that names one. Prints
each stage's share of the samples (docs/jobs.md, "CPU per message").
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: (stage, frame text) from the innermost outwards: the first match names the sample.
STAGES = [
    ("start-up (imports, settings)", "_find_and_load"),
    ("queue building (recipients -> queue rows)", "JobStore._queue"),
    ("claim: token values (contacts)", "ContactRenderer.contacts"),
    ("claim: rendering", "ContactRenderer.render_all"),
    ("claim: segments", "Renderer.segments"),
    ("claim: number checks", "NumberNormalizer.many"),
    ("claim: SQL (lock, mark sending)", "JobStore.claim"),
    ("claim: other (objects, hand-over)", "Delivery.claim"),
    ("HTTP: answer read and parsed", "wire.py"),
    ("HTTP: request framing, sockets, deadline", "lean_http.py"),
    ("gateway adapter (form, JSON, result)", "TwilioProvider.send"),
    ("token bucket, retry policy", "send_with_retry"),
    ("sender threads: hand-over", "_sender"),
    ("record: quoting values", "dbconn.py:_values"),
    ("record: Change Log rows", "log_activities"),
    ("record: SMS delivery activities", "Recorder._deliveries"),
    ("record: queue states, delivered, targets", "Recorder._write"),
    ("outcomes (verdict, tally)", "Engine._collect"),
    ("engine loop, window, checks", "Engine._run"),
]


def stage(stack: str) -> str:
    frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
    if not frames:
        # py-spy saw the GIL held by a thread with no Python frame: the lock being taken
        # or handed over between threads, a thread starting, C code called from C.
        return "no Python frame (GIL hand-overs, C between frames)"
    for frame in reversed(frames):
        for name, text in STAGES:
            if text in frame or (":" in text and _same(frame, text)):
                return name
    return "other (logging, CLI, job bookkeeping)"


def _same(frame: str, text: str) -> bool:
    module, _, function = text.partition(":")
    return frame.startswith(function + " ") and module in frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", default="100000")
    parser.add_argument("--workers", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "samples.txt"
        extra = ["--workers", args.workers] if args.workers else []
        subprocess.run([sys.executable, str(ROOT / "bench" / "bench_jobs.py"), "--skip",
                        "b,c,d", "--recipients", args.recipients, *extra],
                       env={**os.environ, "BENCH_PROFILE": str(raw)}, check=True)
        counts: Counter[str] = Counter()
        for line in raw.read_text().splitlines():
            stack, _, number = line.rpartition(" ")
            counts[stage(stack)] += int(number)
    total = sum(counts.values())
    print(f"\n{total:,} samples holding the GIL, {args.recipients} recipients")
    print("| stage | share |\n|---|---|")
    for name, count in counts.most_common():
        print(f"| {name} | {count / total:.0%} |")


if __name__ == "__main__":
    main()
