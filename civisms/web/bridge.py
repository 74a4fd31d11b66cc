"""The bridge's routes: what CiviCRM's extension org.civisms.bridge calls (docs/bridge.md).

- ``POST /v1/messages``: one message from ``org_civisms_bridge::send``; journaled and
  answered at once (202 with civisms' id); the worker this module starts sends it.
- ``POST /v1/jobs/run``: one pass of the mass-SMS job engine, for CiviCRM's scheduled
  job "Send Scheduled SMS with civisms"; safe beside ``civisms jobs run`` on cron (rows
  are claimed atomically, CiviCRM's job locks are taken).

Both need ``Authorization: Bearer <the password of an active bridge row>``: 401 otherwise,
nothing done. Bad input is 422 with one line per field; a bridge row civisms cannot send
through (no ``civisms_via``) is 409; CiviCRM unreachable is 503.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from civisms.bridge.messages import Incoming, accept, authenticate, run_jobs, work_forever
from civisms.errors import (
    CiviCRMError,
    CiviCRMUnreachable,
    ConfigError,
    InputError,
    NotSupportedByBackend,
)
from civisms.sending.journal import Journal
from civisms.web.service import Service

log = logging.getLogger(__name__)

#: A message from CiviCRM is a few hundred bytes.
MAX_BODY = 64 * 1024
M = TypeVar("M", bound=BaseModel)
_journals = threading.local()


class MessageIn(BaseModel):
    """The body of ``POST /v1/messages``, as the extension's provider class sends it."""

    model_config = ConfigDict(extra="ignore")

    to: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=10_000)
    contact_id: int = Field(ge=1)
    source_contact_id: int | None = Field(None, ge=1)
    provider_id: int | None = Field(None, ge=1)
    via: str | None = None  # informative: civisms reads civisms_via from the row itself
    mailing_job_id: int | None = Field(None, ge=1)
    parent_activity_id: int | None = Field(None, ge=1)


class JobsRunIn(BaseModel):
    """The body of ``POST /v1/jobs/run``."""

    model_config = ConfigDict(extra="ignore")

    provider_ids: list[int] = Field(default_factory=list)


def _problem(status: int, detail: Any) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def _invalid(exc: ValidationError) -> JSONResponse:
    return _problem(422, [{"loc": ["body", *map(str, e["loc"])], "msg": e["msg"]}
                          for e in exc.errors()])


async def _body(request: Request) -> tuple[dict[str, Any] | None, Response | None]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return None, _problem(413, "request body too large")
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return None, _problem(422, "the body is not JSON")
    if not isinstance(data, dict):
        return None, _problem(422, "the body must be a JSON object")
    return data, None


def _token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _journal(service: Service) -> Journal:
    """This worker thread's journal, on this thread's CiviCRM connection."""
    civicrm = service.civicrm()
    found = getattr(_journals, "journal", None)
    if found is None or getattr(_journals, "civicrm", None) is not civicrm:
        found = Journal.for_civicrm(civicrm, service.settings.journal_path)
        _journals.journal, _journals.civicrm = found, civicrm
    return found


def _errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn civisms' errors into the answers the module docstring lists."""

    async def wrapped(request: Request) -> Response:
        try:
            return await func(request)  # type: ignore[no-any-return]
        except InputError as exc:
            return _problem(422, str(exc))
        except (ConfigError, NotSupportedByBackend) as exc:
            return _problem(409, str(exc))
        except CiviCRMUnreachable as exc:
            log.warning("%s: CiviCRM unreachable: %s", request.url.path, exc)
            return _problem(503, "CiviCRM is unreachable; try again later")
        except CiviCRMError as exc:
            log.error("%s: CiviCRM error: %s", request.url.path, exc)
            return _problem(500, f"CiviCRM error: {exc}")

    return wrapped


async def _checked(request: Request, model: type[M]) -> tuple[str, M] | Response:
    """The bearer token and the body as ``model``, or the answer refusing them (401 with
    no token, 4xx for a body that is not that JSON); the token itself is checked later,
    against the provider rows, in a worker thread."""
    token = _token(request)
    if token is None:
        return _problem(401, "missing bearer token (the civisms SMS provider row's password)")
    data, refused = await _body(request)
    if refused is not None:
        return refused
    try:
        return token, model.model_validate(data)
    except ValidationError as exc:
        return _invalid(exc)


@_errors
async def post_message(request: Request) -> Response:
    """Accept one message from CiviCRM: 202 ``{"id", "segments", "status", "via"}``."""
    service: Service = request.app.state.service
    checked = await _checked(request, MessageIn)
    if isinstance(checked, Response):
        return checked
    token, message = checked

    def work() -> Response:
        civicrm = service.civicrm()
        rows = civicrm.sms_providers(include_inactive=True)
        row = authenticate(rows, token)
        if row is None:
            return _problem(401, "invalid token")
        queued, gateway = accept(civicrm, _journal(service), service.settings, row, rows,
                                 Incoming(**message.model_dump(exclude={"via"})))
        return JSONResponse({"id": str(queued.id), "segments": queued.segments,
                             "status": "pending", "via": gateway.id}, status_code=202)

    return await service.run(work)


@_errors
async def post_jobs_run(request: Request) -> Response:
    """Run the job engine once for the due mass SMS; 200 with its summary."""
    service: Service = request.app.state.service
    checked = await _checked(request, JobsRunIn)
    if isinstance(checked, Response):
        return checked
    token, _ = checked

    def work() -> Response:
        rows = service.civicrm().sms_providers(include_inactive=True)
        if authenticate(rows, token) is None:
            return _problem(401, "invalid token")
        return JSONResponse(run_jobs(service.connector, service.settings))

    return await service.run(work)


def start(service: Service) -> Callable[[], None]:
    """Start the worker that sends accepted messages; return what stops it."""
    stop = threading.Event()
    thread = threading.Thread(target=work_forever, args=(service.connector, service.settings, stop),
                              name="civisms-bridge-worker", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(timeout=60)

    return halt


def routes() -> list[BaseRoute]:
    """The bridge's two routes."""
    return [Route("/v1/messages", post_message, methods=["POST"]),
            Route("/v1/jobs/run", post_jobs_run, methods=["POST"])]
