"""Prometheus metrics of the service (``GET /metrics``, via ``prometheus_client``).

With several worker processes (``civisms serve --workers N``) each process counts its
own; ``serve`` then points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder, and
``/metrics`` adds up every process's files.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

WEBHOOKS = Counter(
    "civisms_webhooks", "Webhook requests by provider row, kind (status, inbound) and outcome "
    "(ok, forbidden, unknown_provider, error, too_large)", ["provider", "kind", "outcome"])
EVENTS = Counter(
    "civisms_webhook_events", "Receipts and replies by provider row, event and outcome "
    "(updated, unchanged, unmatched, ignored, recorded, duplicate, part)",
    ["provider", "event", "outcome"])
LATENCY = Histogram(
    "civisms_webhook_seconds", "Time to verify, parse and record one webhook request",
    ["kind"], buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0))
SENDS = Counter(
    "civisms_service_sends", "SMS the service sent (keyword answers, API sends) by provider "
    "row and outcome (sent, failed)", ["provider", "outcome"])


def render() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
