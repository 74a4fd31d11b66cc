"""One deadline per HTTP request, whatever the other end does, and a way to cut them all.

A socket timeout bounds each ``recv``, not the request: a server sending one byte a
second never trips it. So each request registers its socket here with an absolute
(monotonic) deadline; one watchdog thread per process shuts the socket down
(``shutdown(SHUT_RDWR)``) when the deadline passes, which wakes the thread blocked reading
it (closing alone would not: the reader holds the buffer's lock). ``abort_all`` does the
same at once for every request in flight, for a run that must stop now (SIGTERM).

Typical use::

    with watch(deadline) as ticket:
        ticket.attach(sock)          # as soon as the socket is known (may be re-attached)
        ...read...
    if ticket.expired: ...           # the reads failed because the deadline passed
"""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

#: Most bytes of an answer civisms reads from a gateway (after decompression).
MAX_BODY = 1 << 20


class Ticket:
    """One request's deadline and the socket(s) it reads from."""

    __slots__ = ("aborted", "deadline", "done", "expired", "socks")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.socks: list[socket.socket] = []
        self.done = False
        self.expired = False
        self.aborted = False

    def attach(self, sock: socket.socket | None) -> None:
        """Watch ``sock`` too; cut at once when the deadline has already passed."""
        if sock is None or sock in self.socks:
            return
        self.socks.append(sock)
        if not self.done and time.monotonic() >= self.deadline:
            self.cut(expired=True)

    def remaining(self) -> float:
        """Seconds left (never below a millisecond, for socket timeouts)."""
        return max(0.001, self.deadline - time.monotonic())

    def cut(self, *, expired: bool) -> None:
        """Shut the sockets down: blocked reads return at once."""
        if expired:
            self.expired = True
        else:
            self.aborted = True
        for sock in self.socks:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """The process's watchdog thread, started on first use."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.heap: list[tuple[float, int, Ticket]] = []
        self.live: set[Ticket] = set()
        self.counter = itertools.count()
        self.thread: threading.Thread | None = None

    def add(self, ticket: Ticket) -> None:
        with self.lock:
            if len(self.heap) > 1024 and len(self.heap) > 4 * len(self.live):
                # Finished requests leave their entry until it would fire: drop them.
                self.heap = [entry for entry in self.heap if not entry[2].done]
                heapq.heapify(self.heap)
            self.live.add(ticket)
            heapq.heappush(self.heap, (ticket.deadline, next(self.counter), ticket))
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="civisms-deadline",
                                               daemon=True)
                self.thread.start()
            elif self.heap[0][2] is ticket:
                self.lock.notify()

    def remove(self, ticket: Ticket) -> None:
        with self.lock:
            ticket.done = True
            self.live.discard(ticket)

    def _run(self) -> None:
        while True:
            with self.lock:
                while self.heap and self.heap[0][2].done:
                    heapq.heappop(self.heap)
                wait = self.heap[0][0] - time.monotonic() if self.heap else None
                if wait is None or wait > 0:
                    self.lock.wait(wait)
                    continue
                _, _, ticket = heapq.heappop(self.heap)
            if not ticket.done:
                ticket.cut(expired=True)

    def abort_all(self) -> int:
        with self.lock:
            tickets = list(self.live)
        for ticket in tickets:
            ticket.cut(expired=False)
        return len(tickets)


_WATCHDOG = _Watchdog()


class watch:  # lower case: used as a function, ``with watch(5) as ticket``
    """A ticket whose sockets are cut ``timeout`` seconds from now, until the block ends.

    A class rather than a ``contextmanager`` generator: every gateway request enters one,
    and the generator's machinery cost more than the watching.
    """

    __slots__ = ("ticket",)

    def __init__(self, timeout: float) -> None:
        self.ticket = Ticket(time.monotonic() + timeout)

    def __enter__(self) -> Ticket:
        _WATCHDOG.add(self.ticket)
        return self.ticket

    def __exit__(self, *exc: object) -> None:
        _WATCHDOG.remove(self.ticket)


def abort_all() -> int:
    """Cut every request in flight in this process now (a run that must stop at once:
    call it again for any started meanwhile); returns how many were in flight."""
    return _WATCHDOG.abort_all()


_LOCAL = threading.local()


def current() -> Ticket | None:
    """The ticket of the request this thread is making (set by ``HttpClient``)."""
    return getattr(_LOCAL, "ticket", None)


@contextmanager
def as_current(ticket: Ticket) -> Iterator[None]:
    """Make ``ticket`` the one connections made by this thread attach their socket to."""
    previous = current()
    _LOCAL.ticket = ticket
    try:
        yield
    finally:
        _LOCAL.ticket = previous
