"""The civisms service: an ASGI app (Starlette) that gateways and CiviCRM call.

``create_app(settings)`` builds one app; ``civisms.web:app`` is the app for
``uvicorn civisms.web:app`` / gunicorn workers, built from the environment (``CIVISMS_*``,
``CIVISMS_CONFIG``) on its first request or at start-up.

Routes come from the modules in ``ROUTE_MODULES``: each exposes ``routes() -> list`` of
Starlette routes, and may expose ``start(service) -> stop`` for a background worker the
app starts after CiviCRM is ready and stops at shutdown. A new group of endpoints is one
more module under ``civisms/web/`` and one more name in that tuple
(docs/service.md "Adding routes").
"""

from __future__ import annotations

import contextlib
import importlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from civisms.civicrm.base import CiviCRM
from civisms.config import Settings, load_settings
from civisms.web.service import Service

log = logging.getLogger(__name__)

#: Modules whose ``routes()`` make up the app, in order.
ROUTE_MODULES: tuple[str, ...] = ("civisms.web.health", "civisms.web.webhooks",
                                  "civisms.web.bridge")


def collect_routes(modules: Sequence[str] = ROUTE_MODULES) -> list[BaseRoute]:
    """Every route of ``modules``."""
    found: list[BaseRoute] = []
    for name in modules:
        found.extend(importlib.import_module(name).routes())
    return found


def create_app(settings: Settings | None = None, *,
               connector: Callable[[Settings], CiviCRM] | None = None,
               modules: Sequence[str] = ROUTE_MODULES) -> Starlette:
    """The service app for ``settings`` (default: from the environment).

    ``connector`` opens a CiviCRM backend (default ``civisms.civicrm.connect``); the
    service opens one per worker thread and closes them all at shutdown.
    """
    settings = settings or load_settings()
    service = Service(settings, connector) if connector else Service(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            await service.run(service.civicrm)  # tables, indexes, one connection ready
        except Exception as exc:  # the service still starts; /healthz says what is wrong
            log.error("civisms serve: CiviCRM not ready at start-up: %s", exc)
        stops = [module.start(service) for module in map(importlib.import_module, modules)
                 if hasattr(module, "start")]
        yield
        for stop in stops:
            stop()
        service.close()

    app = Starlette(routes=collect_routes(modules), lifespan=lifespan)
    app.state.service = service
    return app


class _LazyApp:
    """``civisms.web:app``: the app built from the environment on first use, so importing
    this module never needs settings."""

    def __init__(self) -> None:
        self._app: Starlette | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._app is None:
            self._app = create_app()
        await self._app(scope, receive, send)


app = _LazyApp()

__all__ = ["ROUTE_MODULES", "app", "collect_routes", "create_app"]
