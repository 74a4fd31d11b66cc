"""What a message is: CiviCRM tokens, GSM 03.38 segments and the length policy.

Typical use by a send pipeline::

    template = parse(text)                                # once; TextError on unknown tokens
    values = token_values(civicrm, template, contact_ids)  # fetches only what tokens need
    for cid, v in values.items():
        seg = enforce(segment(template.render(v)), settings.max_segments)  # TextError if over
        send(seg.text)
"""

from civisms.text.policy import Verdict, enforce, judge, limit_characters
from civisms.text.render import (
    ContactRenderer,
    contact_values,
    domain_values,
    render_messages,
    token_values,
)
from civisms.text.segments import NonGsmChar, Segmentation, is_gsm, segment
from civisms.text.smart import smart_encode, smart_replacements
from civisms.text.tokens import KNOWN_TOKENS, Template, Token, find_tokens, parse

__all__ = [
    "KNOWN_TOKENS",
    "ContactRenderer",
    "NonGsmChar",
    "Segmentation",
    "Template",
    "Token",
    "Verdict",
    "contact_values",
    "domain_values",
    "enforce",
    "find_tokens",
    "is_gsm",
    "judge",
    "limit_characters",
    "parse",
    "render_messages",
    "segment",
    "smart_encode",
    "smart_replacements",
    "token_values",
]
