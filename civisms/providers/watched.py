"""urllib3 and requests connections whose socket joins the current request's deadline
(``deadline``), and streamed urllib3 reads within ``bounded``'s cap.

Only ``HttpClient`` (``pooled``) and the API v4 client import this module: the mass-sending
hot path (``lean_http``) starts without urllib3 and requests (about 35 ms of start-up).
"""

from __future__ import annotations

from typing import Any

import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection

from civisms.providers import deadline
from civisms.providers.bounded import CHUNK, inflate_capped


def read_urllib3(resp: urllib3.BaseHTTPResponse, limit: int) -> bytes:
    """A streamed urllib3 response's body, decoded by us within ``limit``."""
    encoding = resp.headers.get("Content-Encoding", "") or ""
    return inflate_capped(resp.stream(CHUNK, decode_content=False), limit, encoding)



# -- connections that join the request's deadline ----------------------------------------


class _JoinsDeadline:
    """Before waiting for an answer, put the socket under the request's deadline."""

    sock: Any

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        ticket = deadline.current()
        if ticket is not None:
            ticket.attach(self.sock)
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_JoinsDeadline, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_JoinsDeadline, HTTPSConnection):
    pass


class _Pool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _TlsPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def watched(manager: urllib3.PoolManager) -> urllib3.PoolManager:
    """``manager`` making connections whose socket joins the current request's deadline
    when the answer starts to be read (``deadline.as_current``)."""
    manager.pool_classes_by_scheme = {"http": _Pool, "https": _TlsPool}  # type: ignore[assignment]
    return manager


class WatchedAdapter(HTTPAdapter):
    """A requests adapter whose connections join the current request's deadline."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        watched(self.poolmanager)
