"""The gateways' routes: ``/webhooks/{provider_id}/status`` and ``/webhooks/{provider_id}/inbound``.

Both run ``civisms.webhooks.handler.handle`` (verify → parse → record → answer) for every
gateway; GET is accepted where gateways use it (Vonage, Kannel). Answers: the gateway's
own acknowledgement (empty TwiML, ``ACK/Jasmin`` ...); 403 for a bad signature or token,
nothing read or written; 404 for an unknown provider row; 413 for an oversized body; 500
for anything unexpected, so the gateway retries. No response carries a traceback.
"""

from __future__ import annotations

import logging
import time

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from civisms.errors import CivismsError
from civisms.providers.base import WebhookRequest
from civisms.web import metrics
from civisms.web.service import Service, UnknownProvider
from civisms.webhooks.handler import Handled, WebhookRejected, handle

log = logging.getLogger(__name__)

#: Gateways post a few hundred bytes; anything far larger is not a webhook.
MAX_BODY = 256 * 1024


class BodyTooLarge(ValueError):
    """The request body is over ``MAX_BODY``."""


async def read_body(request: Request) -> bytes:
    """The body, refused past ``MAX_BODY`` without reading the rest."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def public_url(request: Request, base: str | None) -> str:
    """The URL the gateway called, as it saw it (Twilio signs it).

    With ``CIVISMS_PUBLIC_URL`` the scheme and host are taken from it (a reverse proxy
    changes them); otherwise from the request (uvicorn's ``--proxy-headers`` applies
    ``X-Forwarded-Proto``; nginx passes ``Host``).
    """
    query = request.url.query
    if base:
        url = base.rstrip("/") + request.url.path
        return f"{url}?{query}" if query else url
    return str(request.url)


async def webhook(request: Request) -> Response:
    """One gateway request, for the kind in the path (``status`` or ``inbound``)."""
    service: Service = request.app.state.service
    kind = request.url.path.rsplit("/", 1)[-1]
    provider_id: int = request.path_params["provider_id"]
    label = str(provider_id)
    started = time.perf_counter()
    try:
        body = await read_body(request)
        wr = WebhookRequest(request.method, public_url(request, service.settings.public_url),
                            dict(request.headers), body)
        handled = await service.run(_handle, service, provider_id, wr)
    except BodyTooLarge:
        return _refuse(label, kind, "too_large", 413, "request body too large\n")
    except UnknownProvider:
        label = "unknown"
        return _refuse(label, kind, "unknown_provider", 404, "no such SMS provider\n")
    except WebhookRejected as exc:
        log.warning("webhook %s refused (from %s): %s", request.url.path,
                    request.client.host if request.client else "?", exc)
        return _refuse(label, kind, "forbidden", 403, "forbidden\n")
    except Exception as exc:
        # The gateway retries on 5xx: better than a 200 for something not written.
        log.error("webhook %s failed: %s: %s", request.url.path, type(exc).__name__, exc,
                  exc_info=not isinstance(exc, CivismsError))
        return _refuse(label, kind, "error", 500, "internal error, please retry\n")
    finally:
        metrics.LATENCY.labels(kind).observe(time.perf_counter() - started)
    metrics.WEBHOOKS.labels(label, kind, "ok").inc()
    for event, outcome in handled.outcomes:
        metrics.EVENTS.labels(label, event, outcome).inc()
    for outcome in handled.answers:
        metrics.SENDS.labels(label, outcome).inc()
    return Response(handled.body, status_code=handled.status, media_type=handled.content_type)


def _handle(service: Service, provider_id: int, request: WebhookRequest) -> Handled:
    civicrm = service.civicrm()
    provider = service.provider(provider_id)
    return handle(civicrm, service.settings, service.keywords, provider, provider_id, request,
                  service.apply_receipt)


def _refuse(label: str, kind: str, outcome: str, status: int, text: str) -> Response:
    metrics.WEBHOOKS.labels(label, kind, outcome).inc()
    return PlainTextResponse(text, status_code=status)


def routes() -> list[BaseRoute]:
    """Receipt and reply routes, GET and POST."""
    return [Route(f"/webhooks/{{provider_id:int}}/{kind}", webhook, methods=["GET", "POST"])
            for kind in ("status", "inbound")]
