"""Reading an HTTP answer within bounds: at most ``MAX_BODY`` bytes after decompression,
and connections whose socket joins the current request's deadline (``deadline``).

A gateway (or a site) answering a gzip bomb or a 2 GiB body must cost civisms a
megabyte, not its memory: the body is streamed, inflated here with a cap on the output
(``zlib``'s ``max_length``), and the read stops one byte past the cap. The urllib3 and
requests side (connections joining the deadline, streamed reads) is in ``watched``, so
that the lean hot path (``lean_http``) never imports them.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from typing import Any

from civisms.errors import ProviderError, RecipientError, TransientError

CHUNK = 64 * 1024
#: Content-Encoding values civisms inflates (anything else is read as it comes).
_ZLIB = {"gzip": 47, "x-gzip": 47, "deflate": 47}


class TooLarge(Exception):
    """The answer is over the cap (or its compression is broken); ``str()`` says which."""


def read_capped(read1: Callable[[int], bytes], limit: int) -> bytes:
    """Every byte ``read1`` gives until it gives none; ``TooLarge`` past ``limit``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = read1(CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"over {limit:,} bytes")
        chunks.append(chunk)


def inflate_capped(chunks: Iterable[bytes], limit: int, encoding: str) -> bytes:
    """The body ``chunks`` make once decoded (gzip, deflate: several gzip members too);
    ``TooLarge`` as soon as the output would pass ``limit``, however small the input."""
    wbits = _ZLIB.get(encoding.strip().lower())
    if wbits is None:
        return read_capped(_reader(iter(chunks)), limit)
    out = bytearray()
    inflater = zlib.decompressobj(wbits)
    try:
        for chunk in chunks:
            data = chunk
            while data:
                out += inflater.decompress(data, limit + 1 - len(out))
                if len(out) > limit:
                    raise TooLarge(f"over {limit:,} bytes once decompressed")
                if inflater.eof:  # another gzip member may follow
                    data, inflater = inflater.unused_data, zlib.decompressobj(wbits)
                else:
                    data = inflater.unconsumed_tail
    except zlib.error as exc:
        raise TooLarge(f"broken {encoding} compression ({exc})") from None
    return bytes(out)


def _reader(chunks: Any) -> Callable[[int], bytes]:
    return lambda _size: next(chunks, b"")


def too_large_error(message: str, status: int) -> ProviderError:
    """The error for an answer civisms will not read whole: a refusal (status 400 and up)
    fails that message; an acceptance it cannot read may have taken it (never resent)."""
    if status >= 400:
        return RecipientError(message, code="answer_too_large")
    return TransientError(message, code="answer_too_large", maybe_sent=True)
