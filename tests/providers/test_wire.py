"""civisms' own HTTP/1.1 framing (``wire``), byte for byte, on a socket pair."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civisms.providers.bounded import TooLarge
from civisms.providers.wire import Reader, WireError, form_encode, request_head


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    ours, theirs = socket.socketpair()
    ours.settimeout(5)
    yield ours, theirs
    ours.close()
    theirs.close()


def answer(pair: tuple[socket.socket, socket.socket], *parts: bytes, method: str = "POST",
           limit: int = 1 << 20, then_close: bool = False):
    ours, theirs = pair

    def feed() -> None:
        for part in parts:  # byte by byte across reads: framing must not care
            theirs.sendall(part)
        if then_close:
            theirs.shutdown(socket.SHUT_WR)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        return Reader(ours).answer(method, limit)
    finally:
        writer.join()


def test_a_request_is_framed_with_host_length_and_identity_encoding() -> None:
    head = request_head("POST", "/2010-04-01/Messages.json", "api.twilio.com",
                        {"Content-Type": "application/x-www-form-urlencoded"}, 12)
    assert head == (b"POST /2010-04-01/Messages.json HTTP/1.1\r\nHost: api.twilio.com\r\n"
                    b"Accept-Encoding: identity\r\nContent-Type: application/x-www-form-"
                    b"urlencoded\r\nContent-Length: 12\r\n\r\n")


@pytest.mark.parametrize(("target", "headers"), [
    ("/send?text=a\r\nX-Evil: 1", {}),
    ("/send to", {}),
    ("/send", {"X-Api-Key": "key\r\nX-Evil: 1"}),
    ("/send", {"Bad Name": "v"}),
])
def test_a_newline_or_space_that_would_split_the_request_is_refused(
        target: str, headers: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"control character|invalid HTTP header"):
        request_head("GET", target, "gw.example", headers, None)


def test_content_length_body_and_case_insensitive_headers(pair) -> None:
    got = answer(pair, b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n",
                 b"Content-Length: 11\r\nRetry-After: 3\r\n\r\n{\"sid\":", b"\"x\"}")
    assert (got.status, got.body, got.close) == (201, b'{"sid":"x"}', False)
    assert got.headers["content-type"] == "application/json"
    assert got.headers.get("RETRY-AFTER") == "3"


def test_chunked_body_with_extensions_and_trailers(pair) -> None:
    got = answer(pair, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                 b"4;ext=1\r\nID: \r\n", b"3\r\n42\n\r\n0\r\nX-Trailer: t\r\n\r\n")
    assert got.body == b"ID: 42\n"


def test_interim_100_continue_is_skipped(pair) -> None:
    got = answer(pair, b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\n"
                       b"Content-Length: 2\r\n\r\nok")
    assert (got.status, got.body) == (202, b"ok")


def test_http_1_0_or_connection_close_closes_and_a_body_may_run_to_the_end(pair) -> None:
    got = answer(pair, b"HTTP/1.0 200 OK\r\n\r\nACK/Jasmin", then_close=True)
    assert (got.body, got.close) == (b"ACK/Jasmin", True)


def test_two_answers_on_one_connection_are_read_apart(pair) -> None:
    ours, theirs = pair
    theirs.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nAHTTP/1.1 200 OK\r\n"
                   b"Content-Length: 1\r\n\r\nB")
    reader = Reader(ours)
    assert reader.answer("POST", 100).body == b"A"
    assert reader.pending
    assert reader.answer("POST", 100).body == b"B"
    assert not reader.pending


def test_an_announced_body_over_the_cap_is_refused_unread_with_its_status(pair) -> None:
    with pytest.raises(TooLarge) as raised:
        answer(pair, b"HTTP/1.1 400 Bad\r\nContent-Length: 2147483648\r\n\r\n", limit=1000)
    assert raised.value.status == 400  # type: ignore[attr-defined]


def test_a_chunked_body_past_the_cap_stops_at_the_cap(pair) -> None:
    with pytest.raises(TooLarge):
        answer(pair, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
               b"400\r\n" + b"x" * 1024 + b"\r\n", b"400\r\n" + b"x" * 1024 + b"\r\n",
               limit=1500)


@pytest.mark.parametrize("raw", [
    b"SMTP 220 hello\r\n\r\n",
    b"HTTP/1.1 2000 OK\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n folded: value\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
])
def test_what_is_not_http_1_1_is_an_error_not_a_guess(pair, raw: bytes) -> None:
    with pytest.raises(WireError):
        answer(pair, raw, then_close=True)


def test_a_connection_closed_mid_answer_is_an_error(pair) -> None:
    with pytest.raises(WireError, match="closed before the answer ended"):
        answer(pair, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", then_close=True)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=12), st.text(max_size=200), max_size=6))
def test_form_encoding_is_urlencode_byte_for_byte(fields: dict[str, str]) -> None:
    assert form_encode(fields) == urlencode(fields)
