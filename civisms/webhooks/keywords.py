"""STOP / START / HELP: one-word replies that change whether a person receives SMS.

A reply is a keyword when, once accents, punctuation, spaces and case are set aside, it is
exactly one of the site's words (``CIVISMS_STOP_KEYWORDS`` ...): ``Stop.``, ``arrêt !``
and ``STOP`` match; ``please stop texting me`` does not (it is recorded as a reply, and a
person reads it). Defaults cover English and French.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from civisms.config import Settings


class Keyword(StrEnum):
    """What a keyword reply asks for."""

    STOP = "stop"  # set do_not_sms on every contact with this mobile
    START = "start"  # clear do_not_sms again
    HELP = "help"  # answer with the help text; nothing changes


def fold(text: str) -> str:
    """Upper-case letters and digits only, accents removed (``Arrêt !`` → ``ARRET``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).upper()


@dataclass(frozen=True)
class Keywords:
    """The site's keyword lists, folded once."""

    words: dict[str, Keyword]
    replies: dict[Keyword, str]

    @classmethod
    def from_settings(cls, settings: Settings) -> Keywords:
        """Read ``CIVISMS_STOP_KEYWORDS`` (and START, HELP) and the three reply texts."""
        words: dict[str, Keyword] = {}
        lists = ((Keyword.STOP, settings.stop_keywords), (Keyword.START, settings.start_keywords),
                 (Keyword.HELP, settings.help_keywords))
        for keyword, text in lists:
            for word in text.split(","):
                folded = fold(word)
                if folded:
                    words.setdefault(folded, keyword)
        replies = {Keyword.STOP: settings.stop_reply.strip(),
                   Keyword.START: settings.start_reply.strip(),
                   Keyword.HELP: settings.help_reply.strip()}
        return cls(words, replies)

    def match(self, text: str) -> Keyword | None:
        """The keyword ``text`` is, when it is a single word from the lists."""
        # "STOP ALL" folds to STOPALL; three words or more are a sentence, not a keyword.
        if len(text) > 64 or len(text.split()) > 2:
            return None
        return self.words.get(fold(text))
