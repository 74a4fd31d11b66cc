"""Render and segment 100,000 personalised SMS on one core; print the rate.

    python bench/bench_text.py [N]

The template is parsed once; each message is the per-recipient work a send does: build
the token values from a ``Contact`` (as ``token_values`` does after the fetch), render,
segment and judge against the policy. Names mix plain ASCII, GSM accents and non-GSM
letters, so both the GSM-7 and UCS-2 paths run, and a few messages need 2 segments.
Goal: at least 50,000 messages per second.
"""

from __future__ import annotations

import sys
import time

from civisms.model import Contact, Domain
from civisms.text import contact_values, domain_values, judge, parse, segment

TEMPLATE = (
    "Hi {contact.first_name|default:\"friend\"} {contact.last_name}, the Spring drive starts "
    "Saturday at 10. Reply STOP to opt out. {domain.name}"
)
# "Zoe\u0308" is Zoë as macOS types it (e + combining diaeresis): the grapheme-aware path.
FIRST = ["Alice", "Hélène", "Bob", "Chloé", "Zoe\u0308", "Ana", "", "Łukasz", "Jürgen", "Çağla"]
LAST = ["Martin", "Dupré-Lefèvre", "Nguyen", "O'Neil", "Smith", "Søren", "Ng", "Bernard"]


def contacts(n: int) -> list[Contact]:
    """``n`` contacts with a spread of names (some empty, some outside GSM 03.38)."""
    return [
        Contact(
            id=i, contact_type="Individual", display_name=None,
            fields={"first_name": FIRST[i % len(FIRST)] or None,
                    "last_name": LAST[i % len(LAST)] * (1 + (i % 97 == 0) * 3)},
        )
        for i in range(1, n + 1)
    ]


def main(n: int = 100_000) -> float:
    """Run the benchmark; return messages per second."""
    template = parse(TEMPLATE)
    domain = domain_values(Domain(1, "Default Domain Name", "6.17.2", 1))
    people = contacts(n)
    segments = over = ucs2 = 0
    start = time.perf_counter()
    for contact in people:
        seg = segment(template.render(contact_values(template, contact, domain=domain)))
        segments += seg.segments
        ucs2 += seg.encoding == "UCS-2"
        over += not judge(seg, 1).within_policy
    elapsed = time.perf_counter() - start
    rate = n / elapsed
    print(f"{n:,} messages in {elapsed:.2f} s: {rate:,.0f} messages/s "
          f"({segments:,} segments, {ucs2:,} UCS-2, {over:,} over a 1-segment policy)")
    return rate


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
