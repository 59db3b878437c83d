"""Outgoing webhooks: each event recorded as one delivery per endpoint.

The service that owns an event calls emit() (through shop.webhook_events)
inside the transaction that records the event. emit() writes one pending
WebhookDelivery per active endpoint subscribed to the event type, all with
the same event id, and queues each for sending after commit. So a
rolled-back transaction leaves no delivery and sends nothing, and a
delivery whose task the broker lost is still owed:
shop.webhook_tasks.queue_due_webhook_deliveries queues it again.
shop.webhook_delivery sends, signs and retries. docs/webhooks.md is the
receivers' guide.
"""

import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from .queueing import enqueue_on_commit
from .webhook_network import BlockedAddressError, resolve_checked
from .webhook_tasks import deliver_webhook

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https")


class WebhookError(ValueError):
    """A request about an endpoint or a delivery is invalid."""


def format_timestamp(moment: datetime) -> str:
    """Format an aware datetime as ISO 8601 in UTC to the second.

    For example "2026-03-14T02:30:00Z", the form every time in a payload
    takes.
    """
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_event(
    event_type: str, data: Mapping[str, Any], *, created: datetime | None = None
) -> dict[str, Any]:
    """Return the payload of a new event: a fresh id, its type, time, data."""
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "created": format_timestamp(created or timezone.now()),
        "data": dict(data),
    }


def subscribed_endpoints(event_type: str) -> list[WebhookEndpoint]:
    """Return the active endpoints subscribed to `event_type`, by id."""
    # SQLite has no JSONField `contains` lookup, and a shop has a handful
    # of endpoints, so the list is filtered here.
    endpoints = WebhookEndpoint.objects.filter(is_active=True).order_by("pk")
    return [endpoint for endpoint in endpoints if event_type in endpoint.events]


def emit(event_type: str, data: Mapping[str, Any]) -> list[WebhookDelivery]:
    """Record an event for each endpoint subscribed to it, sent on commit.

    `data` becomes the payload's "data" object and must be plain JSON
    (amounts already formatted as strings). Call inside the transaction
    that records the event. Returns the deliveries written, none when no
    active endpoint subscribes. Raises ValueError for an unknown type.
    """
    if event_type not in WebhookEvent.values:
        raise ValueError(
            f"Webhook event type {event_type!r} is unknown; use one of "
            f"{', '.join(WebhookEvent.values)}."
        )
    endpoints = subscribed_endpoints(event_type)
    if not endpoints:
        return []
    return create_deliveries(endpoints, [build_event(event_type, data)])


def create_deliveries(
    endpoints: Sequence[WebhookEndpoint], events: Sequence[Mapping[str, Any]]
) -> list[WebhookDelivery]:
    """Write a pending delivery of each event to each endpoint.

    Each delivery is due at once and queued for after commit.
    """
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event_type=event["type"],
            event_id=event["id"],
            payload=event,
            next_attempt_at=now,
        )
        for event in events
        for endpoint in endpoints
    )
    for delivery in deliveries:
        enqueue_on_commit(deliver_webhook, delivery.pk)
    return deliveries


def resend_delivery(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery's event to its endpoint again, as a new delivery.

    The new delivery keeps the event id and payload, so a receiver that
    stores event ids processes the event once, and its resend_of points at
    `delivery`. It is queued for after commit. A `delivery` still pending
    is marked failed, with an error naming the resend, so that only the
    resend is retried; `delivery` is updated in place. Raises WebhookError
    when the endpoint is inactive.
    """
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        raise WebhookError(
            f"Endpoint {endpoint.name} is inactive, so delivery {delivery.pk} "
            "was not resent; activate the endpoint first."
        )
    resent = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=delivery.event_type,
        event_id=delivery.event_id,
        payload=delivery.payload,
        next_attempt_at=timezone.now(),
        resend_of=delivery,
    )
    enqueue_on_commit(deliver_webhook, resent.pk)
    _mark_replaced(delivery, resent)

    logger.info(
        "Webhook delivery %s resent as %s",
        delivery.pk,
        resent.pk,
        extra={
            "delivery_id": resent.pk,
            "endpoint_id": endpoint.pk,
            "event_id": str(delivery.event_id),
        },
    )
    return resent


def _mark_replaced(delivery: WebhookDelivery, resent: WebhookDelivery) -> None:
    # WebhookDelivery has no "superseded" status, so a replaced delivery is
    # marked failed, and its error names the resend that replaced it.
    error = (
        f"Replaced by delivery {resent.pk}, a resend, while still pending; "
        "it is not retried."
    )
    replaced = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=WebhookDelivery.Status.PENDING
    ).update(status=WebhookDelivery.Status.FAILED, error=error, next_attempt_at=None)
    if replaced:
        delivery.refresh_from_db(fields=["status", "error", "next_attempt_at"])


def check_endpoint_url(url: str) -> None:
    """Raise ValidationError unless `url` can receive the shop's webhooks.

    It must be an http or https URL with a host, and not the shop itself
    (settings.SHOP_BASE_URL): the events go to another system. Its host must
    not be, or resolve to, an address that shop.webhook_network blocks. A
    name that does not resolve now is accepted, because every delivery
    resolves and checks it again.
    """
    parts = urlsplit(url)
    try:
        port = _port(parts.scheme, parts.port)
    except ValueError:  # A port that is not a number from 0 to 65535.
        port = None
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname or not port:
        raise ValidationError(
            f"{url} is not an http or https URL; enter the full address, "
            "such as https://erp.example.com/ledgerfront/webhooks."
        )
    shop = urlsplit(settings.SHOP_BASE_URL)
    if (parts.hostname, port) == (shop.hostname, _port(shop.scheme, shop.port)):
        raise ValidationError(
            f"{url} points at this shop ({settings.SHOP_BASE_URL}); enter the "
            "address of the system that receives the events."
        )
    try:
        resolve_checked(parts.hostname, port)
    except BlockedAddressError as error:
        raise ValidationError(f"{url} is rejected: {error}") from error
    except OSError:
        pass


def _port(scheme: str, port: int | None) -> int:
    if port is not None:
        return port
    return 443 if scheme.lower() == "https" else 80
