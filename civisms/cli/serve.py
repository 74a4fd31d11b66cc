"""``civisms serve``: the HTTP service gateways call (receipts, replies, health, metrics)."""

from __future__ import annotations

import os
import tempfile
from typing import Any

import click


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (behind a reverse proxy, keep the loopback).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (each with its own database connections).")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True,
              help="Proxies whose X-Forwarded-Proto/-For are believed.")
@click.pass_obj
def command(obj: Any, host: str, port: int, workers: int, log_level: str,
            forwarded_allow_ips: str) -> None:
    """Serve delivery receipts, replies, /healthz and /metrics over HTTP.

    Gateways post to /webhooks/<provider id>/status and /webhooks/<provider id>/inbound
    (set CIVISMS_PUBLIC_URL so every message asks for receipts there). Stop with Ctrl-C
    or SIGTERM.

    \b
    Example:
        CIVISMS_PUBLIC_URL=https://sms.example.org civisms serve --port 8080 --workers 2
    """
    import uvicorn

    settings = obj.settings  # a bad setting stops here, exit 2, before anything listens
    options: dict[str, Any] = {
        "host": host, "port": port, "log_level": log_level, "proxy_headers": True,
        "forwarded_allow_ips": forwarded_allow_ips, "server_header": False,
    }
    if workers == 1:
        from civisms.web import create_app

        uvicorn.run(create_app(settings), **options)
        return
    # Worker processes import civisms.web:app and read the same settings from the
    # environment; they count metrics in a shared folder that /metrics adds up.
    if obj.config_path:
        os.environ["CIVISMS_CONFIG"] = str(obj.config_path)
    with tempfile.TemporaryDirectory(prefix="civisms-metrics-") as folder:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
        uvicorn.run("civisms.web:app", workers=workers, **options)
