"""Sending one webhook delivery: sign it, POST it, record the outcome.

Each attempt claims the delivery first, by moving next_attempt_at past
the attempt with a conditional UPDATE. So a retry task and the periodic
sweep that both hold the same delivery send it once, and a worker killed
mid-attempt leaves the delivery due again once the claim runs out.
The POST runs outside any database transaction.
"""

import hashlib
import hmac
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.db.models import F, Q
from django.utils import timezone

from .models import WebhookDelivery
from .webhook_network import BlockedAddressError, post_pinned, resolve_checked

logger = logging.getLogger(__name__)

# Seconds to wait for the connection, and then for each read of the
# response (requests' timeout, which is not a limit on the whole call).
TIMEOUT_SECONDS = 10

# Wait before each retry: after attempt n fails, attempt n + 1 is due
# RETRY_DELAYS[n - 1] later. A random jitter of up to RETRY_JITTER of the
# delay is added, so receivers coming back from an outage are not hit by
# every retry at once. The eight attempts span about 24 hours.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=8),
    timedelta(hours=8),
)
RETRY_JITTER = 0.1
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

# How long an attempt keeps its claim. It is longer than a connect and a
# read timeout together, so only a crashed or stuck worker's claim expires.
CLAIM_DURATION = timedelta(minutes=2)

# Characters of the receiver's response body kept on the delivery.
RESPONSE_BODY_LIMIT = 2000

# Deliveries taken by one sweep, most overdue first, and how late a
# delivery must be before the sweep takes it: until then its own task is
# most likely still in the queue.
SWEEP_BATCH_SIZE = 500
SWEEP_GRACE = timedelta(minutes=2)

USER_AGENT = "Ledgerfront-Webhooks/1.0"


@dataclass(frozen=True)
class Outcome:
    """The result of one POST: the HTTP status and body, or the error."""

    status_code: int | None
    body: str
    error: str

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the hex HMAC-SHA256 of "<timestamp>.<body>" keyed by `secret`.

    The key is the whole secret as UTF-8, "whsec_" prefix included.
    """
    message = f"{timestamp}.".encode("ascii") + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """Return the Ledgerfront-Signature header value, "t=...,v1=..."."""
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def retry_delay(
    attempts: int, *, jitter: Callable[[], float] = random.random
) -> timedelta | None:
    """Return the wait before the next attempt, None after the last one.

    `attempts` counts the attempts made so far, the failed one included.
    """
    if attempts >= MAX_ATTEMPTS:
        return None
    delay = RETRY_DELAYS[attempts - 1]
    return delay + delay * RETRY_JITTER * jitter()


def deliver(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Attempt a pending delivery that is due, and record the outcome.

    A 2xx response marks it delivered. Any other response or a network
    error schedules the next attempt by RETRY_DELAYS, or marks it failed
    after MAX_ATTEMPTS. An inactive endpoint, a URL that is not http or
    https, or a host that is or resolves to an address that
    shop.webhook_network blocks fails it without a request. Returns the
    delivery, or None when nothing was attempted: the delivery is missing,
    no longer pending, not due yet, or claimed by another worker. Safe to
    run twice.
    """
    now = now or timezone.now()
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .first()
    )
    if delivery is None:
        return None
    problem = _undeliverable(delivery)
    if problem:
        return _fail_unsent(delivery, problem)
    if not _claim(delivery, now):
        return None

    delivery.refresh_from_db(fields=["attempts"])
    try:
        outcome = _post(delivery)
    except BlockedAddressError as error:
        return _fail_unsent(delivery, f"Not sent: {error}")
    _record(delivery, outcome, timezone.now())
    return delivery


def due_delivery_ids(
    *,
    now: datetime | None = None,
    limit: int = SWEEP_BATCH_SIZE,
    grace: timedelta = SWEEP_GRACE,
) -> list[int]:
    """Return ids of pending deliveries overdue by more than `grace`.

    Most overdue first. With the default grace these are deliveries whose
    task the broker lost or never got, and expired claims.
    """
    cutoff = (now or timezone.now()) - grace
    deliveries = WebhookDelivery.objects.filter(
        Q(next_attempt_at__lt=cutoff)
        | Q(next_attempt_at__isnull=True, created_at__lt=cutoff),
        status=WebhookDelivery.Status.PENDING,
    ).order_by(F("next_attempt_at").asc(nulls_first=True), "pk")
    return list(deliveries.values_list("pk", flat=True)[:limit])


def _undeliverable(delivery: WebhookDelivery) -> str:
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        return (
            f"Endpoint {endpoint.name} is inactive; activate it and resend "
            "the delivery."
        )
    if urlsplit(endpoint.url).scheme.lower() not in ("http", "https"):
        return (
            f"Endpoint URL {endpoint.url} is not http or https; correct it and "
            "resend the delivery."
        )
    return ""


def _fail_unsent(delivery: WebhookDelivery, problem: str) -> WebhookDelivery | None:
    failed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=WebhookDelivery.Status.PENDING
    ).update(status=WebhookDelivery.Status.FAILED, error=problem, next_attempt_at=None)
    if not failed:
        return None
    logger.error(
        "Webhook delivery %s to endpoint %s not sent: %s",
        delivery.pk,
        delivery.endpoint.name,
        problem,
        extra=_log_ids(delivery),
    )
    delivery.refresh_from_db()
    return delivery


def _claim(delivery: WebhookDelivery, now: datetime) -> bool:
    claimed = WebhookDelivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=delivery.pk,
        status=WebhookDelivery.Status.PENDING,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + CLAIM_DURATION)
    return bool(claimed)


def _post(delivery: WebhookDelivery) -> Outcome:
    """POST the delivery to the addresses its host resolves to now.

    Raises BlockedAddressError, before any connection, when one of them is
    blocked. A name that does not resolve is a failed attempt, retried.
    """
    parts = urlsplit(delivery.endpoint.url)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        addresses = resolve_checked(parts.hostname or "", port)
    except OSError as error:
        message = f"The receiver's host {parts.hostname} was not resolved: {error}"
        return Outcome(status_code=None, body="", error=message)

    body = json.dumps(delivery.payload, separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Ledgerfront-Event": delivery.event_type,
        "Ledgerfront-Event-Id": str(delivery.event_id),
        "Ledgerfront-Delivery-Id": str(delivery.pk),
        "Ledgerfront-Signature": signature_header(
            delivery.endpoint.secret, int(time.time()), body
        ),
    }
    try:
        # Redirects are not followed: requests would turn the POST into a
        # GET, and a redirect could lead the signed event elsewhere.
        with post_pinned(
            delivery.endpoint.url,
            addresses,
            data=body,
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,
        ) as response:
            return Outcome(
                status_code=response.status_code,
                body=_read_body(response),
                error=_status_error(response.status_code),
            )
    except requests.RequestException as error:
        message = f"{type(error).__name__}: {error}"
        return Outcome(status_code=None, body="", error=message)


def _read_body(response: requests.Response) -> str:
    # Only the start is read, so a huge response cannot fill the worker's
    # memory: 4 bytes per character, the most UTF-8 takes. A body cut off
    # by a network error keeps what arrived.
    received = b""
    try:
        for chunk in response.iter_content(chunk_size=1024):
            received += chunk
            if len(received) >= RESPONSE_BODY_LIMIT * 4:
                break
    except requests.RequestException:
        pass
    return received.decode("utf-8", errors="replace")[:RESPONSE_BODY_LIMIT]


def _status_error(status_code: int) -> str:
    if 200 <= status_code < 300:
        return ""
    if 300 <= status_code < 400:
        return (
            f"The receiver answered HTTP {status_code}, a redirect, which is not "
            "followed; set the endpoint URL to the final address."
        )
    return f"The receiver answered HTTP {status_code}, not 2xx."


def _record(delivery: WebhookDelivery, outcome: Outcome, now: datetime) -> None:
    delivery.response_status = outcome.status_code
    delivery.response_body = outcome.body
    delivery.error = outcome.error
    delay = None if outcome.delivered else retry_delay(delivery.attempts)
    if outcome.delivered:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delay is None:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + delay
    fields = ("status", "error", "delivered_at", "next_attempt_at")
    recorded = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=WebhookDelivery.Status.PENDING
    ).update(
        response_status=outcome.status_code,
        response_body=outcome.body,
        **{name: getattr(delivery, name) for name in fields},
    )
    if not recorded:
        _record_replaced(delivery, outcome)
        return
    _log_outcome(delivery)


def _record_replaced(delivery: WebhookDelivery, outcome: Outcome) -> None:
    # A resend during this attempt marked the delivery failed, so that only
    # the resend is retried. The failed status stays, and this attempt's
    # response is kept for staff to read.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        response_status=outcome.status_code, response_body=outcome.body
    )
    delivery.refresh_from_db()
    logger.info(
        "Webhook delivery %s was resent during its attempt, which %s",
        delivery.pk,
        "delivered it" if outcome.delivered else f"failed: {outcome.error}",
        extra=_log_ids(delivery),
    )


def _log_outcome(delivery: WebhookDelivery) -> None:
    name = delivery.endpoint.name
    if delivery.status == WebhookDelivery.Status.DELIVERED:
        logger.info(
            "Webhook delivery %s to endpoint %s delivered",
            delivery.pk,
            name,
            extra=_log_ids(delivery),
        )
    elif delivery.status == WebhookDelivery.Status.FAILED:
        logger.error(
            "Webhook delivery %s to endpoint %s failed after %s attempts: %s",
            delivery.pk,
            name,
            delivery.attempts,
            delivery.error,
            extra=_log_ids(delivery),
        )
    else:
        logger.warning(
            "Webhook delivery %s to endpoint %s failed, attempt %s of %s, "
            "next at %s: %s",
            delivery.pk,
            name,
            delivery.attempts,
            MAX_ATTEMPTS,
            delivery.next_attempt_at.isoformat() if delivery.next_attempt_at else "",
            delivery.error,
            extra=_log_ids(delivery),
        )


def _log_ids(delivery: WebhookDelivery) -> dict[str, object]:
    return {
        "delivery_id": delivery.pk,
        "endpoint_id": delivery.endpoint_id,
        "event_id": str(delivery.event_id),
        "event_type": delivery.event_type,
    }
