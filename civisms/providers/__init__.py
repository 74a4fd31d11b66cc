"""Boundary 2: SMS gateways as plug-ins (entry-point group ``civisms.providers``).

The send pipeline needs four names::

    provider = provider_for(row, outbox=settings.outbox)     # a civicrm_sms_provider row
    throttle = TokenBucket(provider.mps)                      # civisms.sending.throttle
    result = send_with_retry(provider, OutboundMessage(to, text, segments=n),
                             throttle=throttle)

``send_with_retry`` returns a ``SendResult`` or raises ``TransientError`` (gave up:
retry later), ``RecipientError`` (this message fails; ``opted_out``) or
``FatalProviderError`` (stop the run); ``provider_for`` raises ``ConfigError``.
"""

from __future__ import annotations

from civisms.providers.base import (
    DeliveryReceipt,
    DeliveryStatus,
    InboundMessage,
    OutboundMessage,
    Provider,
    ProviderConfig,
    SendResult,
    WebhookEvent,
    WebhookRequest,
)
from civisms.providers.http import DEFAULT_POLICY, RetryPolicy, send_with_retry
from civisms.providers.registry import adapter_class, discover, provider_for

__all__ = [
    "DEFAULT_POLICY",
    "DeliveryReceipt",
    "DeliveryStatus",
    "InboundMessage",
    "OutboundMessage",
    "Provider",
    "ProviderConfig",
    "RetryPolicy",
    "SendResult",
    "WebhookEvent",
    "WebhookRequest",
    "adapter_class",
    "discover",
    "provider_for",
    "send_with_retry",
]
