"""Smart encoding: replace typographic look-alikes by GSM 03.38 characters.

Word processors and phones turn ``'`` into ``’`` and ``-`` into ``–``; one such character
switches a whole SMS to UCS-2 and can double its cost. Twilio's Messaging Services offer
the same substitution ("Smart Encoding"); this table is our own selection of characters
whose replacement keeps the meaning: quotes, dashes, the ellipsis, unusual spaces,
invisible format characters and full-width ASCII. Letters are never changed (``ç`` is not
``Ç``, ``ã`` is not ``a``): a name must arrive as it is spelt.

Off by default; a preview always says when it would change the encoding.
"""

from __future__ import annotations

_QUOTES = {
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark (the usual apostrophe of phones)
    "\u201a": ",",  # single low-9 quotation mark
    "\u201b": "'",  # single high-reversed-9 quotation mark
    "\u2032": "'",  # prime
    "\u02bc": "'",  # modifier letter apostrophe
    "\u00b4": "'",  # acute accent used as an apostrophe
    "`": "'",  # grave accent: not in GSM 03.38
    "\u201c": '"',  # left double quotation mark
    "\u201d": '"',  # right double quotation mark
    "\u201e": '"',  # double low-9 quotation mark
    "\u201f": '"',  # double high-reversed-9 quotation mark
    "\u2033": '"',  # double prime
    "\u00ab": '"',  # left-pointing double angle quotation mark
    "\u00bb": '"',  # right-pointing double angle quotation mark
    "\u2039": "<",  # single left-pointing angle quotation mark
    "\u203a": ">",  # single right-pointing angle quotation mark
}

_DASHES = {
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
    "\u2022": "-",  # bullet
    "\u2026": "...",  # horizontal ellipsis
    "\u203c": "!!",  # double exclamation mark
    "\u2044": "/",  # fraction slash
    "\u00f7": "/",  # division sign
}

_SPACES = {
    "\u00a0": " ",  # no-break space
    "\u2000": " ", "\u2001": " ", "\u2002": " ", "\u2003": " ", "\u2004": " ",
    "\u2005": " ", "\u2006": " ", "\u2007": " ", "\u2008": " ", "\u2009": " ",
    "\u200a": " ",  # the typographic spaces en quad .. hair space
    "\u202f": " ",  # narrow no-break space (French punctuation)
    "\u205f": " ",  # medium mathematical space
    "\u3000": " ",  # ideographic space
    "\u2028": "\n",  # line separator
    "\u2029": "\n",  # paragraph separator
    "\t": " ",  # tab: not in GSM 03.38
}

_INVISIBLE = {
    "\u200b": "",  # zero width space
    "\u2060": "",  # word joiner
    "\ufeff": "",  # zero width no-break space / BOM
    "\u00ad": "",  # soft hyphen
}

#: Full-width ASCII (U+FF01..U+FF5E) maps to ASCII; kept only where the target is GSM.
_FULLWIDTH = {chr(cp): chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F) if chr(cp - 0xFEE0) != "`"}

SMART_MAP: dict[str, str] = {**_QUOTES, **_DASHES, **_SPACES, **_INVISIBLE, **_FULLWIDTH}

_TABLE = str.maketrans(SMART_MAP)


def smart_encode(text: str) -> str:
    """``text`` with every look-alike in ``SMART_MAP`` replaced."""
    return text.translate(_TABLE)


def smart_replacements(text: str) -> list[tuple[str, str, int]]:
    """``(original, replacement, position)`` for each character smart encoding changes."""
    return [(ch, SMART_MAP[ch], i) for i, ch in enumerate(text) if ch in SMART_MAP]
