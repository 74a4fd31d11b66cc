"""Recorded API v4 exchanges (``fixtures/api4/``) served by ``responses``, each request checked.

A recording holds one real request and its answer (format: shared/civicrm/api4/README.md).
:class:`Recordings` answers a POST to the recording's path with the recorded status,
content type and body, after asserting that the request carries what the recorded one
carried: the same headers (the ``<API_KEY>``-style placeholders stand for the key under
test), ``X-Civi-Key`` only with a site key, and exactly one form field ``params`` whose
decoded JSON equals the recorded params. A *relaxed* recording (``strict=False``) answers
whatever params are sent (optionally only those ``when`` accepts): for requests that ask
for the same rows in another shape than the one recorded.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import responses

from civisms.civicrm.urls import api4_url

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "api4"
BASE_URL = "https://civicrm.test"
KEY_PLACEHOLDERS = ("<API_KEY>", "<LIMITED_API_KEY>", "<WRONG_KEY>")


def load(name: str) -> dict[str, Any]:
    """The recording ``fixtures/api4/<name>.json``."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def entity_action(recording: dict[str, Any]) -> tuple[str, str]:
    """(Entity, action) from the recorded path ``/civicrm/ajax/api4/<Entity>/<action>``."""
    entity, action = recording["request"]["path"].rstrip("/").split("/")[-2:]
    return entity, action


def decode_params(request: Any) -> dict[str, Any]:
    """The JSON ``params`` form field of a prepared request (asserting it is the only field)."""
    body = request.body or ""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    form = parse_qs(body, keep_blank_values=True)
    assert list(form) == ["params"], f"form fields sent: {list(form)}"
    assert len(form["params"]) == 1
    return json.loads(form["params"][0])


@dataclass
class Sent:
    """One request the code under test made."""

    entity: str
    action: str
    params: dict[str, Any]
    headers: dict[str, str]
    recording: str | None


@dataclass
class _Entry:
    name: str
    recording: dict[str, Any]
    strict: bool
    when: Callable[[dict[str, Any]], bool] | None
    uses: int = 0


@dataclass
class Recordings:
    """Recorded exchanges registered on a ``responses.RequestsMock``."""

    rsps: responses.RequestsMock
    api_key: str
    base_url: str = BASE_URL
    site_key: str | None = None
    calls: list[Sent] = field(default_factory=list)
    _paths: dict[tuple[str, str], list[_Entry]] = field(default_factory=dict)

    def add(
        self,
        name: str,
        *,
        strict: bool = True,
        when: Callable[[dict[str, Any]], bool] | None = None,
        recording: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Serve the recording ``name`` (or a derived ``recording``); return it."""
        recording = recording if recording is not None else load(name)
        entity, action = entity_action(recording)
        key = (entity, action)
        if key not in self._paths:
            self._paths[key] = []
            self.rsps.add_callback(
                responses.POST, api4_url(self.base_url, entity, action),
                callback=self._callback(entity, action),
            )
        self._paths[key].append(_Entry(name, recording, strict, when))
        return recording

    def entries(self, name: str) -> list[_Entry]:
        return [e for entries in self._paths.values() for e in entries if e.name == name]

    def _callback(self, entity: str, action: str) -> Callable[[Any], tuple[int, dict, str]]:
        def answer(request: Any) -> tuple[int, dict, str]:
            params = decode_params(request)
            entry = self._pick(entity, action, params)
            self.calls.append(Sent(entity, action, params, dict(request.headers), entry.name))
            self._check_headers(entry, request.headers)
            entry.uses += 1
            response = entry.recording["response"]
            body = response["body"]
            text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
            return response["status"], dict(response["headers"]), text

        return answer

    def _pick(self, entity: str, action: str, params: dict[str, Any]) -> _Entry:
        entries = self._paths[(entity, action)]
        for entry in entries:
            if entry.strict and entry.recording["request"]["params"] == params:
                return entry
        for entry in entries:
            if not entry.strict and (entry.when is None or entry.when(params)):
                return entry
        recorded = "\n".join(
            f"  {e.name}: {json.dumps(e.recording['request']['params'])}" for e in entries
        )
        raise AssertionError(
            f"{entity}.{action} sent params no recording matches:\n  sent: "
            f"{json.dumps(params)}\n{recorded}"
        )

    def _check_headers(self, entry: _Entry, headers: Any) -> None:
        for name, value in entry.recording["request"]["headers"].items():
            for placeholder in KEY_PLACEHOLDERS:
                value = value.replace(placeholder, self.api_key)
            assert headers.get(name) == value, (
                f"{entry.name}: header {name} sent {headers.get(name)!r}, recorded {value!r}"
            )
        assert headers.get("X-Civi-Key") == self.site_key, "X-Civi-Key only with a site key"

    def assert_all_used(self) -> None:
        """Every strict recording was requested at least once."""
        unused = [e.name for es in self._paths.values() for e in es if e.strict and not e.uses]
        assert not unused, f"recordings never requested: {unused}"


def derived(name: str, *, status: int | None = None, body: Any = None,
            content_type: str | None = None, params: dict[str, Any] | None = None,
            path: str | None = None) -> dict[str, Any]:
    """A copy of recording ``name`` with its answer (or request) changed, for shapes that
    COMPAT documents but that were not recorded (say so in the test)."""
    recording = json.loads(json.dumps(load(name)))
    response = recording["response"]
    if status is not None:
        response["status"] = status
    if body is not None:
        response["body"] = body
    if content_type is not None:
        response["headers"] = {"content-type": content_type}
    if params is not None:
        recording["request"]["params"] = params
    if path is not None:
        recording["request"]["path"] = path
    return recording
