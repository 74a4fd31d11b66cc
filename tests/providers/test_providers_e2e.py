"""End to end: ``civisms providers test`` against a real HTTP server on 127.0.0.1.

Each gateway is pointed at the server through its row's ``api_url``; the test checks the
exact request the gateway would receive and what the command prints, with both HTTP
transports.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import Result
from provider_helpers import TWILIO_SID, TWILIO_TOKEN, FixedSite, data, make_row

TO = "+14155550199"
TEXT = "Hello é"


@dataclass
class Gateway:
    """A tiny HTTP server that records requests and answers from a route table."""

    routes: dict[tuple[str, str], tuple[int, bytes]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            state.requests.append({"method": self.command, "path": parts.path,
                                   "query": parse_qs(parts.query),
                                   "headers": dict(self.headers), "body": body})
            status, answer = state.routes.get((self.command, parts.path), (404, b"no route"))
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = _handle

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def send(run_cli: Callable[..., Result], provider_id: int) -> dict[str, Any]:
    result = run_cli("providers", "test", str(provider_id), "--to", TO, "--text", TEXT, "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


TRANSPORTS = pytest.mark.parametrize("transport", ["requests", "urllib3"])


@TRANSPORTS
def test_twilio(gateway: Gateway, fixed_site: FixedSite, run_cli: Callable[..., Result],
                transport: str) -> None:
    path = f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    gateway.routes[("POST", path)] = (201, data("twilio", "send_queued.json"))
    fixed_site.rows = [make_row("org.civicrm.sms.twilio",
                                f"From=+15550003000\ncivisms_http={transport}", id=3,
                                username=TWILIO_SID, password=TWILIO_TOKEN,
                                api_url=gateway.url + "/")]
    shown = send(run_cli, 3)
    assert shown["message_id"] == "SM1f0e8ae6ade43cb3c0ce4525424e404f"
    assert shown["status"] == "queued" and shown["adapter"] == "twilio"
    [req] = gateway.requests
    assert (req["method"], req["path"]) == ("POST", path)
    assert req["headers"]["Authorization"] == "Basic " + base64.b64encode(
        f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    assert req["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(req["body"].decode()) == {"To": [TO], "Body": [TEXT],
                                              "From": ["+15550003000"]}


@TRANSPORTS
def test_twilio_opt_out_is_reported(gateway: Gateway, fixed_site: FixedSite,
                                    run_cli: Callable[..., Result], transport: str) -> None:
    path = f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    gateway.routes[("POST", path)] = (400, data("twilio", "error_21610_unsubscribed.json"))
    fixed_site.rows = [make_row("org.civicrm.sms.twilio",
                                f"From=+15550003000\ncivisms_http={transport}", id=3,
                                username=TWILIO_SID, password=TWILIO_TOKEN,
                                api_url=gateway.url)]
    result = run_cli("providers", "test", "3", "--to", TO, "--json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error == {"kind": "opted_out", "code": "21610", "message": error["message"]}
    assert "21610" in error["message"]


@TRANSPORTS
def test_vonage(gateway: Gateway, fixed_site: FixedSite, run_cli: Callable[..., Result],
                transport: str) -> None:
    gateway.routes[("POST", "/sms/json")] = (200, data("vonage", "send_ok.json"))
    fixed_site.rows = [make_row("org.civisms.vonage", f"from=+15550003000\n"
                                f"civisms_http={transport}", id=5, username="abcd1234",
                                password="v0nage-api-s3cret", api_url=gateway.url)]
    shown = send(run_cli, 5)
    assert shown["message_id"] == "0A0000000123ABCD1" and shown["status"] == "accepted"
    assert shown["price"] == "0.03330000"
    [req] = gateway.requests
    assert parse_qs(req["body"].decode()) == {
        "from": ["15550003000"], "to": ["14155550199"], "text": [TEXT], "type": ["text"]}
    # The official SDK's Basic header; the secret is never in the body.
    assert req["headers"]["Authorization"] == "Basic " + base64.b64encode(
        b"abcd1234:v0nage-api-s3cret").decode()
    assert b"s3cret" not in req["body"]


@TRANSPORTS
def test_clickatell_one_api(gateway: Gateway, fixed_site: FixedSite,
                            run_cli: Callable[..., Result], transport: str) -> None:
    gateway.routes[("POST", "/v1/message")] = (202, data("clickatell", "one_send_ok.json"))
    fixed_site.rows = [make_row("org.civisms.clickatell",
                                f"api_key=K3y==\ncivisms_http={transport}", id=4,
                                api_url=gateway.url)]
    shown = send(run_cli, 4)
    assert shown["message_id"] == "b6b49bc5-7e9d-4ed5-83c0-1e5b3b3c5a11"
    [req] = gateway.requests
    assert req["headers"]["Authorization"] == "K3y=="
    assert req["headers"]["Content-Type"] == "application/json"
    assert json.loads(req["body"]) == {"messages": [
        {"channel": "sms", "to": "14155550199", "content": TEXT}]}


@TRANSPORTS
def test_clickatell_extension_row(gateway: Gateway, fixed_site: FixedSite,
                                  run_cli: Callable[..., Result], transport: str) -> None:
    gateway.routes[("GET", "/messages/http/send")] = (202, data("clickatell",
                                                                "rest_send_ok.json"))
    fixed_site.rows = [make_row("org.civicrm.sms.clickatell",
                                f"api_id=K3y==\nfrom=MyOrg\nmo=1\ncivisms_http={transport}",
                                id=4, api_url=gateway.url)]
    shown = send(run_cli, 4)
    assert shown["message_id"] == "1d1b0c2d3a5e4bbbb7e9f6a2c4d5e6f7"
    [req] = gateway.requests
    assert req["query"] == {"apiKey": ["K3y=="], "to": ["14155550199"], "content": [TEXT],
                            "from": ["MyOrg"]}


@TRANSPORTS
def test_kannel(gateway: Gateway, fixed_site: FixedSite, run_cli: Callable[..., Result],
                transport: str) -> None:
    gateway.routes[("GET", "/cgi-bin/sendsms")] = (202, data("kannel", "accepted.txt"))
    fixed_site.rows = [make_row("org.civisms.kannel",
                                f"from=15550003000\ndlr-url=https://civisms.example/dlr\n"
                                f"civisms_http={transport}", id=9, username="tester",
                                password="k4nnel-pw", api_url=gateway.url)]
    shown = send(run_cli, 9)
    assert shown["status"] == "accepted" and len(shown["message_id"]) == 32
    [req] = gateway.requests
    assert req["method"] == "GET"
    assert req["query"] == {
        "username": ["tester"], "password": ["k4nnel-pw"], "to": [TO], "text": [TEXT],
        "charset": ["UTF-8"], "from": ["15550003000"], "dlr-mask": ["31"],
        "dlr-url": [f"https://civisms.example/dlr?civisms_id={shown['message_id']}"
                    "&dlr=%d&answer=%A&ts=%t"]}


@TRANSPORTS
def test_jasmin(gateway: Gateway, fixed_site: FixedSite, run_cli: Callable[..., Result],
                transport: str) -> None:
    gateway.routes[("POST", "/send")] = (200, data("jasmin", "success.txt"))
    fixed_site.rows = [make_row("org.civisms.jasmin", f"civisms_http={transport}", id=10,
                                username="civisms", password="j4smin-pw",
                                api_url=gateway.url)]
    shown = send(run_cli, 10)
    assert shown["message_id"] == "07033084-5cfd-4812-90a4-e4d24ffb6e3d"
    [req] = gateway.requests
    assert parse_qs(req["body"].decode()) == {"username": ["civisms"], "password": ["j4smin-pw"],
                                              "to": ["14155550199"], "content": [TEXT]}


def test_wrong_api_url_stops_with_a_clear_line(gateway: Gateway, fixed_site: FixedSite,
                                               run_cli: Callable[..., Result]) -> None:
    fixed_site.rows = [make_row("org.civisms.jasmin", "", id=10, username="civisms",
                                password="j4smin-pw", api_url=gateway.url + "/nothing-here")]
    result = run_cli("providers", "test", "10", "--to", TO)
    assert result.exit_code == 1
    assert "fatal error" in result.stderr and "check api_url" in result.stderr
    assert "j4smin-pw" not in result.stderr


@TRANSPORTS
def test_debug_logs_never_show_the_password(gateway: Gateway, fixed_site: FixedSite,
                                            run_cli: Callable[..., Result], transport: str,
                                            caplog: pytest.LogCaptureFixture) -> None:
    gateway.routes[("GET", "/cgi-bin/sendsms")] = (202, data("kannel", "accepted.txt"))
    fixed_site.rows = [make_row("org.civisms.kannel", f"civisms_http={transport}", id=9,
                                username="tester", password="k4nnel-pw/42",
                                api_url=gateway.url)]
    caplog.set_level(logging.DEBUG)
    send(run_cli, 9)
    assert "/cgi-bin/sendsms" in caplog.text  # urllib3 logged the request line ...
    assert "k4nnel-pw" not in caplog.text  # ... masked
