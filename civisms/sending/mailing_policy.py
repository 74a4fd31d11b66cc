"""What a mass SMS's text will cost and whether it may go: tokens and the length policy.

``measure`` renders the text for every recipient of the snapshot (each distinct text is
segmented once) and reports segments per message and in total, the messages over
``CIVISMS_MAX_SEGMENTS``, and the tokens of a text made elsewhere that civisms renders empty
(real CiviCRM tokens it lacks) or will not send (unknown, unclosed): docs/tokens.md.
``mailing create/update/schedule`` refuse a mailing over the policy, with the message
``send`` gives; ``jobs run`` pauses one (``civisms.sending.delivery``) unless resumed with
``--max-segments``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from civisms.civicrm.base import CiviCRM
from civisms.errors import TextError
from civisms.text import ContactRenderer, Segmentation, Template, judge, segment


@dataclass(frozen=True)
class Measure:
    """The texts of a mailing for its recipients, measured."""

    template: Template
    texts: dict[int, str]
    sizes: dict[str, Segmentation] = field(default_factory=dict)
    max_segments: int = 1

    @property
    def total_segments(self) -> int:
        """Segments of the whole send."""
        return sum(self.sizes[t].segments for t in self.texts.values())

    @property
    def most_segments(self) -> int:
        """The most segments one message costs."""
        return max((self.sizes[t].segments for t in self.texts.values()), default=0)

    @property
    def over(self) -> list[int]:
        """Recipients whose message is over the policy, in contact id order."""
        return sorted(c for c, t in self.texts.items()
                      if self.sizes[t].segments > self.max_segments)

    def reason(self) -> str | None:
        """``send``'s one-line refusal for the first recipient over the policy."""
        over = self.over
        if not over:
            return None
        verdict = judge(self.sizes[self.texts[over[0]]], self.max_segments)
        more = f" ({len(over) - 1} other recipients too)" if len(over) > 1 else ""
        return f"for contact {over[0]}: {verdict.reason}{more}"

    def segmentation(self, contact_id: int) -> Segmentation | None:
        """The segmentation of one recipient's message."""
        text = self.texts.get(contact_id)
        return self.sizes[text] if text is not None else None


def measure(civicrm: CiviCRM, body: str, contact_ids: Sequence[int], max_segments: int,
            *, lenient: bool = True) -> Measure:
    """Render ``body`` for every contact (absent contacts render without contact values) and
    segment each distinct text once."""
    template = Template(body, unknown="lenient" if lenient else "error")
    renderer = ContactRenderer(civicrm, template)
    if template.needs.contact:
        texts = renderer.render_all(renderer.contacts(list(contact_ids)))
        empty = template.render(renderer.domain)
        texts = {cid: texts.get(cid, empty) for cid in contact_ids}
    else:
        fixed = template.render(renderer.domain)
        texts = dict.fromkeys(contact_ids, fixed)
    sizes = {text: segment(text) for text in set(texts.values())}
    return Measure(template, texts, sizes, max_segments)


def enforce(measured: Measure) -> None:
    """``TextError`` (exit 2) when a message is over the policy."""
    reason = measured.reason()
    if reason:
        raise TextError(f"{reason}; shorten the text or raise CIVISMS_MAX_SEGMENTS")


def pause_reason(body: str) -> str | None:
    """Why ``jobs run`` must not send a mailing made elsewhere, from its text alone: tokens
    CiviCRM does not know, unclosed tokens, bad filters (docs/tokens.md)."""
    problems = Template(body or "", unknown="lenient").problems
    if not problems:
        return None
    return "the text has " + "; ".join(problems) + " (fix it in CiviCRM, then resume)"
