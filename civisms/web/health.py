"""``GET /healthz`` (CiviCRM reachable) and ``GET /metrics`` (Prometheus text format)."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from civisms.errors import CivismsError
from civisms.web import metrics

log = logging.getLogger(__name__)


async def healthz(request: Request) -> Response:
    """200 when CiviCRM answers (db: the database; api4: the API), 503 otherwise."""
    service = request.app.state.service
    backend = service.settings.backend

    def ping() -> None:
        service.civicrm().ping()

    try:
        await service.run(ping)
    except CivismsError as exc:
        log.warning("health check: CiviCRM does not answer: %s", exc)
        return JSONResponse({"status": "unavailable", "backend": backend,
                             "error": str(exc)}, status_code=503)
    return JSONResponse({"status": "ok", "backend": backend})


async def metrics_endpoint(request: Request) -> Response:
    """Every civisms metric of this process (or of all workers)."""
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)


def routes() -> list[BaseRoute]:
    """The health and metrics routes."""
    return [Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"])]
