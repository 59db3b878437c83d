"""Card payments for orders through one Stripe PaymentIntent each.

The browser turns Stripe.js's card Element into a card id, so card data
never reaches this server. The server sets that card on the order's intent
and confirms it. Cards that need 3-D Secure come back `requires_action`, so
the browser completes authentication and then opens the return page, which
re-reads the intent. The webhook confirms the same intents; both paths end
in `services.record_payment`, which changes nothing the second time.

Stripe is called outside database transactions. Errors other than a
declined card (network, API) propagate as `stripe.StripeError`.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction

from accounting import payment_processor

from . import refunds, services, stripe_gateway
from .models import Order, Payment, StripeEvent

logger = logging.getLogger(__name__)

DECLINED_MESSAGE = "Your card was declined."
INCOMPLETE_MESSAGE = "The payment was not completed. Please try again."


@dataclass(frozen=True)
class PaymentResult:
    """The state of a card payment after a confirmation or a re-read.

    `status` is "succeeded", "requires_action" (the browser must complete
    3-D Secure with `client_secret`), "processing" or "failed" (with the
    `message` to show the customer).
    """

    status: str
    order: Order
    message: str = ""
    client_secret: str = ""


def current_payment(order: Order) -> Payment | None:
    return order.payments.order_by("-created_at", "-pk").first()


def prepare_payment(order: Order) -> Payment:
    """Return the order's Payment, creating its PaymentIntent the first time.

    A customer coming back reuses the intent; when the order total changed
    in the meantime, the intent's amount is updated to match.
    """
    payment = current_payment(order)
    if payment is None:
        return _create_payment(order)
    if (
        payment.amount != order.total_amount
        and payment.status != Payment.Status.SUCCEEDED
    ):
        stripe_gateway.update_payment_intent_amount(
            payment.stripe_payment_intent_id, order.total_amount
        )
        payment.amount = order.total_amount
        payment.save(update_fields=["amount", "updated_at"])
    return payment


def pay_with_card(*, order: Order, card_id: str) -> PaymentResult:
    """Charge the card with id `card_id` (from Stripe.js) for the order.

    A declined card is recorded on the Payment and returned as "failed";
    the order stays awaiting payment.
    """
    payment = prepare_payment(order)
    if _offline_intent_spent(payment):
        payment = _create_payment(order)
    try:
        intent = stripe_gateway.confirm_with_card(
            payment.stripe_payment_intent_id, card_id
        )
    except stripe.CardError as error:
        message = error.user_message or DECLINED_MESSAGE
        services.record_payment_failure(
            order_id=order.pk,
            payment_intent_id=payment.stripe_payment_intent_id,
            message=message,
        )
        return PaymentResult("failed", order, message=message)
    return apply_payment_intent(order, payment, intent)


def refresh_payment(order: Order) -> PaymentResult:
    """Re-read the order's PaymentIntent from Stripe and apply its status."""
    payment = current_payment(order)
    if payment is None:
        return PaymentResult("failed", order, message=INCOMPLETE_MESSAGE)
    intent = stripe_gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
    return apply_payment_intent(order, payment, intent)


def apply_payment_intent(
    order: Order, payment: Payment, intent: Mapping[str, Any]
) -> PaymentResult:
    """Record what a PaymentIntent's status means for the order."""
    status = intent["status"]
    if status == "succeeded":
        order = services.record_payment(order_id=order.pk, payment_intent=intent)
        return PaymentResult("succeeded", order)
    if status == "requires_action":
        payment.status = Payment.Status.REQUIRES_ACTION
        payment.save(update_fields=["status", "updated_at"])
        return PaymentResult(
            "requires_action", order, client_secret=intent["client_secret"]
        )
    if status == "processing":
        return PaymentResult("processing", order)

    error = intent.get("last_payment_error") or {}
    message = error.get("message") or INCOMPLETE_MESSAGE
    services.record_payment_failure(
        order_id=order.pk, payment_intent_id=intent["id"], message=message
    )
    return PaymentResult("failed", order, message=message)


def construct_webhook_event(*, payload: bytes, signature: str) -> dict[str, Any]:
    """Verify a Stripe webhook delivery and return its event as a dict.

    Raises ValueError for an unreadable payload and
    stripe.SignatureVerificationError for a missing or wrong signature.
    """
    event = stripe.Webhook.construct_event(
        payload, signature, settings.STRIPE_WEBHOOK_SECRET
    )
    return event.to_dict()


def handle_stripe_event(event: Mapping[str, Any]) -> bool:
    """Act on a verified Stripe event once; return False for a replay.

    The event id is stored in the same transaction as its effects, so a
    failure rolls both back and Stripe's retry handles the event again.
    """
    with transaction.atomic():
        _, created = StripeEvent.objects.get_or_create(
            event_id=event["id"], defaults={"type": event["type"]}
        )
        if not created:
            logger.info(
                "Stripe event already handled", extra={"stripe_event_id": event["id"]}
            )
            return False
        handler = WEBHOOK_HANDLERS.get(event["type"])
        if handler is not None:
            handler(event["data"]["object"])
    return True


def _on_payment_intent_succeeded(intent: Mapping[str, Any]) -> None:
    order_id = _order_id_for(intent)
    if order_id is not None:
        services.record_payment(order_id=order_id, payment_intent=intent)


def _on_payment_intent_failed(intent: Mapping[str, Any]) -> None:
    order_id = _order_id_for(intent)
    if order_id is None:
        return
    error = intent.get("last_payment_error") or {}
    services.record_payment_failure(
        order_id=order_id,
        payment_intent_id=intent["id"],
        message=error.get("message") or DECLINED_MESSAGE,
    )


WEBHOOK_HANDLERS = {
    "payment_intent.succeeded": _on_payment_intent_succeeded,
    "payment_intent.payment_failed": _on_payment_intent_failed,
    "payout.paid": payment_processor.record_paid_payout,
    "charge.refunded": refunds.record_charge_refunded,
}


def _order_id_for(intent: Mapping[str, Any]) -> int | None:
    """Find the order an intent pays: by its Payment, else by metadata."""
    payment = Payment.objects.filter(stripe_payment_intent_id=intent["id"]).first()
    if payment is not None:
        return payment.order_id
    number = (intent.get("metadata") or {}).get("order_number", "")
    order = (
        Order.objects.filter(number=int(number)).first() if number.isdigit() else None
    )
    if order is None:
        logger.warning(
            "PaymentIntent matches no order", extra={"payment_intent_id": intent["id"]}
        )
        return None
    return order.pk


def _create_payment(order: Order) -> Payment:
    # The key repeats for the same order, attempt and amount, so a retried
    # or doubled request gets the same intent back from Stripe. The amount
    # is part of it because Stripe rejects a reused key whose parameters
    # differ.
    attempt = order.payments.count() + 1
    cents = stripe_gateway.to_minor_units(order.total_amount)
    intent = stripe_gateway.create_payment_intent(
        amount=order.total_amount,
        order_number=order.number,
        idempotency_key=f"order-{order.pk}-payment-{attempt}-{cents}",
    )
    payment, _ = Payment.objects.get_or_create(
        stripe_payment_intent_id=intent["id"],
        defaults={"order": order, "amount": order.total_amount},
    )
    logger.info(
        "PaymentIntent created",
        extra={"order_id": order.pk, "payment_intent_id": intent["id"]},
    )
    return payment


def _offline_intent_spent(payment: Payment) -> bool:
    # localstripe 1.15 returns 400 when an intent is confirmed again after
    # a declined charge or an unfinished 3-D Secure check, but Stripe lets
    # the customer retry with another card. Offline, such a payment
    # therefore gets a fresh intent.
    return settings.STRIPE_OFFLINE and payment.status in (
        Payment.Status.FAILED,
        Payment.Status.REQUIRES_ACTION,
    )
