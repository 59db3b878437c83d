"""State changes of orders: payments recorded against them."""

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounting import services as accounting_services
from accounting import tasks as accounting_tasks
from accounting.posting.sales import post_online_sale
from fulfillment.services import plan_shipments
from inventory.allocation import allocate_order
from shop import webhook_events
from shop.queueing import enqueue_on_commit

from . import stripe_gateway
from .models import Order, Payment

logger = logging.getLogger(__name__)

# Order statuses from which a successful payment moves the order to PAID.
PAYABLE_STATUSES = {Order.Status.PENDING_PAYMENT}


def record_payment(*, order_id: int, payment_intent: Mapping[str, Any]) -> Order:
    """Mark an order paid by a succeeded PaymentIntent and run it through.

    `payment_intent` is the intent as a dict (from the API or a webhook
    event). In one transaction: locks the order row, marks its Payment
    succeeded and the order PAID, allocates stock to the lines (what is
    short is backordered or oversold, see inventory.allocation), plans
    its shipments (fulfillment.services.plan_shipments), issues
    the invoice and posts the sale to the ledger. Idempotent: an order
    already paid is returned unchanged, so the webhook and the return page
    may both call it. Raises ValueError for an intent that has not
    succeeded or belongs to another order.
    """
    if payment_intent["status"] != "succeeded":
        raise ValueError(
            f"PaymentIntent {payment_intent['id']} is {payment_intent['status']}, "
            "not succeeded; only a succeeded intent pays an order."
        )
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.is_paid:
            return order

        now = timezone.now()
        payment = _mark_payment_succeeded(order, payment_intent, now=now)
        if order.status not in PAYABLE_STATUSES:
            logger.error(
                "Payment received for an order that cannot be paid",
                extra={
                    "order_id": order.pk,
                    "status": order.status,
                    "payment_intent_id": payment_intent["id"],
                },
            )
            return order
        _check_amount(order, payment)

        order.status = Order.Status.PAID
        order.paid_at = now
        order.save(update_fields=["status", "paid_at", "updated_at"])
        allocate_order(order=order)
        plan_shipments(order=order)
        invoice = accounting_services.issue_invoice(order=order)
        post_online_sale(order=order, invoice=invoice)
        webhook_events.order_paid(order)
        enqueue_on_commit(accounting_tasks.record_processor_fee, payment.pk)

    logger.info(
        "Order paid",
        extra={
            "order_id": order.pk,
            "order_number": order.number,
            "payment_id": payment.pk,
            "invoice_id": invoice.pk,
        },
    )
    return order


def record_payment_failure(
    *, order_id: int, payment_intent_id: str, message: str
) -> Payment | None:
    """Store why a card payment failed, unless the payment has succeeded.

    The order stays awaiting payment, so the customer can try another
    card. Returns None when no Payment has that intent id.
    """
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .filter(order_id=order_id, stripe_payment_intent_id=payment_intent_id)
            .first()
        )
        if payment is None or payment.status == Payment.Status.SUCCEEDED:
            return payment
        payment.status = Payment.Status.FAILED
        payment.failure_message = message[:255]
        payment.save(update_fields=["status", "failure_message", "updated_at"])

    logger.warning(
        "Card payment failed",
        extra={
            "order_id": order_id,
            "payment_id": payment.pk,
            "payment_intent_id": payment_intent_id,
        },
    )
    return payment


def _mark_payment_succeeded(order: Order, intent: Mapping[str, Any], *, now) -> Payment:
    amount = stripe_gateway.from_minor_units(
        intent.get("amount_received") or intent["amount"]
    )
    payment, _ = Payment.objects.select_for_update().get_or_create(
        stripe_payment_intent_id=intent["id"],
        defaults={"order": order, "amount": amount},
    )
    if payment.order_id != order.pk:
        raise ValueError(
            f"PaymentIntent {intent['id']} belongs to order id {payment.order_id}, "
            f"not {order.pk}."
        )
    brand, last4 = stripe_gateway.card_details(dict(intent))
    payment.status = Payment.Status.SUCCEEDED
    payment.amount = amount
    payment.card_brand = brand or payment.card_brand
    payment.card_last4 = last4 or payment.card_last4
    payment.failure_message = ""
    payment.succeeded_at = now
    payment.save()
    return payment


def _check_amount(order: Order, payment: Payment) -> None:
    # The order is still marked paid: the money has been taken, and staff
    # settle the difference with the customer.
    if payment.amount != order.total_amount:
        logger.error(
            "Amount paid differs from the order total",
            extra={
                "order_id": order.pk,
                "payment_id": payment.pk,
                "amount_paid": str(payment.amount),
                "total_amount": str(order.total_amount),
            },
        )
