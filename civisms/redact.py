"""Keeping secrets out of what civisms shows: URLs with credentials, and error texts.

* ``mask_url``: a URL's password (or, when the URL cannot be read with certainty, all of
  its user part) replaced by the mask; used for every URL civisms prints.
* ``scrub``: a text with every form of the given secrets replaced by the mask: as written,
  URL-encoded, base64 (alone or as HTTP Basic ``user:secret``). A secret of 8 characters or
  more is masked wherever it appears; a shorter one only where it stands alone (between
  characters that cannot belong to a word), so the password ``ro`` never turns the user
  name ``newcomer_ro`` into ``newcomer_********``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, urlsplit

MASK = "********"
#: Below this length a secret is masked only where it stands alone.
SHORT = 8
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:)(//)?")


def mask_url(url: str) -> str:
    """``url`` with its password masked; all of its user part when the URL is malformed.

    ``mysql://root:S3cret/Pw@h/x`` or a ``#`` in the password split the URL elsewhere than
    its author meant, so what the parser calls the password may be half of it: then
    everything between the scheme and the last ``@`` is masked.
    """
    if "@" not in url:
        return url if _well_formed(url) else _redact_after_scheme(url)
    try:
        parts = urlsplit(url)
        netloc_end = url.index(parts.netloc) + len(parts.netloc) if parts.netloc else -1
    except ValueError:
        return _redact_after_scheme(url)
    last_at = url.rfind("@")
    if parts.netloc and "@" in parts.netloc and last_at < netloc_end:
        userinfo, _, hostport = parts.netloc.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        masked = f"{user}:{MASK}@{hostport}" if colon else parts.netloc
        return parts._replace(netloc=masked).geturl()
    return _redact_after_scheme(url)


def _well_formed(url: str) -> bool:
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return False
    return parts.password is None


def _redact_after_scheme(url: str) -> str:
    match = _SCHEME.match(url)
    head = match.group(0) if match else ""
    last_at = url.rfind("@")
    tail = url[last_at + 1:] if last_at >= 0 else ""
    return f"{head}{MASK}@{tail}" if tail else f"{head}{MASK}"


def mask_value(value: str) -> str:
    """A setting or parameter value for display: a URL in it has its credentials masked."""
    return mask_url(value) if "://" in value and "@" in value else value


def secret_forms(secrets: Iterable[str], users: Iterable[str] = ()) -> tuple[str, ...]:
    """Every form in which ``secrets`` may come back in a text, longest first: as given,
    URL-encoded, base64, and base64 ``user:secret`` for each of ``users`` (Basic auth).
    ``scrub`` adds the first three itself; give it this for the ``user:secret`` ones."""
    forms: set[str] = set()
    names = [u for u in users if u]
    for secret in (s for s in secrets if s):
        forms.update({secret, quote(secret, safe=""), quote_plus(secret),
                      _b64(secret)})
        forms.update(_b64(f"{user}:{secret}") for user in names)
    return tuple(sorted(forms, key=len, reverse=True))


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each of ``secrets``, in each of its forms (``secret_forms``), masked."""
    for secret in secret_forms(secrets):
        if secret not in text:
            continue
        if len(secret) >= SHORT:
            text = text.replace(secret, MASK)
        else:
            text = re.sub(rf"(?<![\w]){re.escape(secret)}(?![\w])", MASK, text)
    return text
