"""HTTP/1.1 on one socket, as the mass-sending hot path needs it: a request out, an answer in.

``http.client`` costs about 65 µs of CPU per request on this path, most of it parsing the
answer's headers with the ``email`` package; this module does the same work in about
25 µs (docs/jobs.md, "CPU per message"). It frames requests (RFC 9112 §3, §6) and reads
answers: a status line (1xx interim answers skipped), header fields, then a body framed
by ``Transfer-Encoding: chunked``, ``Content-Length`` or the end of the connection,
never more than ``limit`` bytes. It knows nothing of deadlines or civisms errors: the
caller (``lean_http``) gives the socket its timeout and watchdog and turns ``OSError``,
``WireError`` and ``TooLarge`` into what a user reads.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator, Mapping

from civisms.providers.bounded import TooLarge

#: Most bytes of a status line and header fields together.
MAX_HEAD = 64 * 1024
_RECV = 64 * 1024
#: Control characters (and space, in a request target) would split or forge a request.
_BAD_TARGET = re.compile(r"[\x00-\x20\x7f]")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class WireError(Exception):
    """The other end broke HTTP/1.1 (or closed the connection before the answer ended)."""


class Headers(Mapping[str, str]):
    """An answer's header fields, looked up whatever their case; repeated ones joined."""

    __slots__ = ("_fields",)

    def __init__(self, fields: dict[str, str]) -> None:
        self._fields = fields  # lower-case names

    def __getitem__(self, name: str) -> str:
        return self._fields[name.lower()]

    def get(self, name: str, default: object = None) -> object:  # type: ignore[override]
        return self._fields.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._fields

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        return f"Headers({sorted(self._fields)})"


def request_head(method: str, target: str, host: str, headers: Mapping[str, str],
                 length: int | None) -> bytes:
    """The request line and header fields, ready to write before the body.

    ``ValueError`` for a target or a header that would split the request (a newline in a
    configured value): nothing of it is written.
    """
    if _BAD_TARGET.search(target) or _BAD_TARGET.search(host):
        raise ValueError(f"control character or space in the request target {target!r}")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", "Accept-Encoding: identity"]
    for name, value in headers.items():
        if not _TOKEN.fullmatch(name) or _BAD_VALUE.search(value):
            raise ValueError(f"invalid HTTP header {name!r}: a newline or control character")
        lines.append(f"{name}: {value}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines.append("\r\n")
    return "\r\n".join(lines).encode("latin-1")


_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"
#: Each byte as ``application/x-www-form-urlencoded`` writes it (urllib's ``quote_plus``).
_FORM = [chr(b) if b in _UNRESERVED else "+" if b == 0x20 else f"%{b:02X}"
         for b in range(256)]


def form_encode(fields: Mapping[str, str]) -> str:
    """``urllib.parse.urlencode(fields)`` for string values, at a third of its CPU (a
    table look-up per byte instead of a Python call per byte)."""
    return "&".join([_form(key) + "=" + _form(value) for key, value in fields.items()])


def _form(text: str) -> str:
    raw = text.encode("utf-8")
    if not raw.strip(_UNRESERVED):
        return text
    return "".join(map(_FORM.__getitem__, raw))


class Answer:
    """A whole answer: status, header fields, body, and whether the connection must close."""

    __slots__ = ("body", "close", "headers", "status")

    def __init__(self, status: int, headers: Headers, body: bytes, close: bool) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.close = close


class Reader:
    """Reads answers from one connection; keeps what arrived past the end of one answer."""

    __slots__ = ("_buf", "_sock")

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buf = bytearray()

    @property
    def pending(self) -> bool:
        """Bytes arrived that no request asked for (the connection is not reusable)."""
        return bool(self._buf)

    def _fill(self) -> None:
        chunk = self._sock.recv(_RECV)
        if not chunk:
            raise WireError("connection closed before the answer ended")
        self._buf += chunk

    def _head(self) -> bytes:
        start = 0
        while True:
            end = self._buf.find(b"\r\n\r\n", start)
            if end >= 0:
                head = bytes(self._buf[:end])
                del self._buf[: end + 4]
                return head
            if len(self._buf) > MAX_HEAD:
                raise WireError(f"answer header over {MAX_HEAD:,} bytes")
            start = max(0, len(self._buf) - 3)
            self._fill()

    def answer(self, method: str, limit: int) -> Answer:
        """Read one answer to a ``method`` request; ``TooLarge`` past ``limit`` body bytes."""
        while True:
            status, version, fields = _parse_head(self._head())
            if not 100 <= status < 200 or status == 101:
                break  # 1xx: an interim answer, the real one follows
        headers = Headers(fields)
        connection = fields.get("connection", "").lower()
        close = "close" in connection or (version == "HTTP/1.0" and
                                          "keep-alive" not in connection)
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return Answer(status, headers, b"", close)
        try:
            if "chunked" in fields.get("transfer-encoding", "").lower():
                return Answer(status, headers, self._chunked(limit), close)
            length = fields.get("content-length")
            if length is None:
                return Answer(status, headers, self._until_close(limit), True)
            if not length.isdigit():
                raise WireError(f"invalid Content-Length {length[:40]!r}")
            size = int(length)
            if size > limit:
                raise TooLarge(f"announced as {size:,} bytes")
            return Answer(status, headers, self._exactly(size), close)
        except TooLarge as exc:
            exc.status = status  # type: ignore[attr-defined]  # a refusal or an acceptance
            raise

    def _exactly(self, size: int) -> bytes:
        while len(self._buf) < size:
            self._fill()
        body = bytes(self._buf[:size])
        del self._buf[:size]
        return body

    def _line(self) -> bytes:
        while True:
            end = self._buf.find(b"\r\n")
            if end >= 0:
                line = bytes(self._buf[:end])
                del self._buf[: end + 2]
                return line
            if len(self._buf) > MAX_HEAD:
                raise WireError("chunk size line too long")
            self._fill()

    def _chunked(self, limit: int) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            size_text = self._line().split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise WireError(f"invalid chunk size {size_text[:20]!r}") from None
            if size == 0:
                while self._line():  # trailer fields, up to the empty line
                    pass
                return b"".join(parts)
            total += size
            if total > limit:
                raise TooLarge(f"over {limit:,} bytes")
            parts.append(self._exactly(size))
            if self._exactly(2) != b"\r\n":
                raise WireError("chunk not followed by CRLF")

    def _until_close(self, limit: int) -> bytes:
        while True:
            if len(self._buf) > limit:
                raise TooLarge(f"over {limit:,} bytes")
            chunk = self._sock.recv(_RECV)
            if not chunk:
                body = bytes(self._buf)
                self._buf.clear()
                return body
            self._buf += chunk


def _parse_head(head: bytes) -> tuple[int, str, dict[str, str]]:
    """Status, protocol version and lower-cased header fields of an answer's head."""
    text = head.decode("latin-1")
    status_line, _, rest = text.partition("\r\n")
    version, _, after = status_line.partition(" ")
    code = after[:3]
    if not version.startswith("HTTP/1.") or not code.isdigit() or after[3:4] not in ("", " "):
        raise WireError(f"not an HTTP/1.1 status line: {status_line[:60]!r}")
    fields: dict[str, str] = {}
    for line in rest.split("\r\n") if rest else ():
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise WireError(f"invalid header line {line[:60]!r}")
        name = name.lower()
        value = value.strip(" \t")
        fields[name] = f"{fields[name]}, {value}" if name in fields else value
    return int(code), version, fields
