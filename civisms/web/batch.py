"""Receipts written in batches: many requests in flight, one transaction for them all.

A commit costs a disk flush; a gateway posts receipts by the thousand. Each request's
thread hands its receipt to ``ReceiptBatcher.apply`` and waits; ``WRITERS`` writer threads
take whatever has queued up (at most ``MAX_BATCH``) and write it with the backend's
``apply_receipts`` in one transaction, then answer every waiting request. A failed batch
fails each of its requests (the gateway gets a 5xx and retries), never silently.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

from civisms.civicrm.base import CiviCRM
from civisms.model import ReceiptResult, ReceiptUpdate

log = logging.getLogger(__name__)

MAX_BATCH = 200
WRITERS = 2
#: How long a request waits for its batch before answering 5xx.
WAIT = 30.0

_Item = tuple[ReceiptUpdate, "Future[ReceiptResult]"]


class ReceiptBatcher:
    """Collects receipts from request threads and writes them in batches."""

    def __init__(self, open_backend: Callable[[], CiviCRM]) -> None:
        self._open = open_backend
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def apply(self, update: ReceiptUpdate) -> ReceiptResult:
        """Write ``update`` with the next batch and return its result (raises its error)."""
        self._start()
        future: Future[ReceiptResult] = Future()
        self._queue.put((update, future))
        return future.result(timeout=WAIT)

    def _start(self) -> None:
        with self._lock:
            if self._threads or self._closed:
                return
            for n in range(WRITERS):
                thread = threading.Thread(target=self._run, name=f"civisms-receipts-{n}",
                                          daemon=True)
                thread.start()
                self._threads.append(thread)

    def _run(self) -> None:
        backend: CiviCRM | None = None
        while True:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # let the loop end after this batch
                    break
                batch.append(item)
            try:
                backend = backend or self._open()
                results = backend.apply_receipts([u for u, _ in batch])
            except Exception as exc:  # every waiting request answers 5xx with it
                for _, future in batch:
                    future.set_exception(exc)
                if backend is not None:
                    backend.close()  # the connection may be broken: a fresh one next time
                backend = None
                continue
            for (_, future), result in zip(batch, results, strict=True):
                future.set_result(result)
        if backend is not None:
            backend.close()

    def close(self) -> None:
        """Stop the writers once the queued receipts are written."""
        with self._lock:
            self._closed = True
            threads, self._threads = self._threads, []
        for _ in threads:
            self._queue.put(None)
        for thread in threads:
            thread.join(timeout=WAIT)
