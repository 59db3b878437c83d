"""Refunds of card payments, with their credit notes, stock and ledger.

A refund is made in three steps, so that a crash at any point leaves a
trace and a retried request does not refund the card twice:

1. One transaction checks the request against what is left to refund and
   writes the Refund as PENDING.
2. Stripe is asked for the refund, outside any transaction, with an
   idempotency key of the Refund's id and the id in the refund's metadata.
3. One transaction marks the Refund succeeded with Stripe's refund id,
   issues the credit note, returns the units to stock and posts the entry.

Stripe reports every refund again with a `charge.refunded` webhook event;
`record_charge_refunded` records those it does not know yet, such as
refunds made in Stripe's dashboard.
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import stripe
from django.db import transaction
from django.utils import timezone

from accounting.credit_note_amounts import (
    Credit,
    OrderBalance,
    credit_for_amount,
    credit_for_units,
)
from accounting.credit_notes import issue_credit_note, order_balance
from accounting.invoices import format_money
from accounting.posting.refunds import post_refund
from shop.money import ZERO, round_money

from . import refund_stock, stripe_gateway
from .models import Order, OrderLine, Payment, Refund

logger = logging.getLogger(__name__)

DASHBOARD_REASON = "Refunded in Stripe's dashboard"

# How long a refund may stay PENDING while its request to Stripe is under
# way. A webhook event for a younger pending refund is retried later by
# Stripe, so the refund is completed as staff asked (with its lines and
# restock); an older one is taken as abandoned and recorded as a lump sum.
COMPLETION_GRACE = timedelta(minutes=10)

# Statuses of a Stripe refund that mean the money is on its way back.
STRIPE_ACCEPTED = {"succeeded", "pending"}


class RefundError(ValueError):
    """A refund request that cannot be carried out as given."""


class RefundInProgressError(RuntimeError):
    """A webhook event arrived while its refund is still being made."""


@dataclass(frozen=True)
class RefundRequest:
    """A refund requested by staff: units per order line id, or an amount."""

    units: dict[int, int] = field(default_factory=dict)
    amount: Decimal | None = None
    shipping: bool = False
    restock: bool = False


def refund_order(
    *,
    order: Order,
    lines: Sequence[tuple[OrderLine, int]] | None = None,
    amount: Decimal | None = None,
    shipping: bool = False,
    restock: bool = False,
    reason: str,
    user=None,
) -> Refund:
    """Refund part or all of a paid order to the card that paid it.

    Give `lines` as (order line, units) pairs, with `shipping` to refund the
    shipping too and `restock` to put the units back in stock, or give a
    tax-included `amount` as a lump sum. Raises RefundError, changing
    nothing, for a request that does not fit what is left to refund, and
    when Stripe rejects the refund (the Refund is then kept as FAILED).
    Calls Stripe, so never call it inside a transaction.
    """
    request = RefundRequest(
        units={line.pk: units for line, units in lines or ()},
        amount=amount,
        shipping=shipping,
        restock=restock,
    )
    refund = _start_refund(order=order, request=request, reason=reason, user=user)
    stripe_refund = _request_stripe_refund(refund)
    return complete_refund(
        refund_id=refund.pk,
        stripe_refund_id=stripe_refund["id"],
        request=request,
        user=user,
    )


def plan_credit(order: Order, request: RefundRequest, balance: OrderBalance) -> Credit:
    """Check a request against what is left and work out its credit note.

    Raises RefundError with a message naming the value and the fix.
    """
    if request.amount is not None and (request.units or request.restock):
        raise RefundError(
            "Give either lines and quantities or an amount, not both; a lump "
            "sum returns no items to stock."
        )
    if request.amount is not None:
        return credit_for_amount(
            balance,
            check_refund_amount(order, request.amount, balance),
            shipping=request.shipping,
        )

    units = {key: count for key, count in request.units.items() if count}
    if not units and not request.shipping:
        raise RefundError(
            f"Nothing to refund on order {order.number}: choose lines and "
            "quantities, the shipping, or an amount."
        )
    _check_units(order, units, balance)
    if request.shipping and not balance.remaining_shipping_net:
        raise RefundError(
            f"The shipping of order {order.number} is already refunded; "
            "untick shipping."
        )
    return credit_for_units(balance, units, shipping=request.shipping)


def complete_refund(
    *,
    refund_id: int,
    stripe_refund_id: str,
    request: RefundRequest | None,
    user=None,
) -> Refund:
    """Record a refund Stripe made: credit note, stock and ledger entry.

    One transaction: locks the order and then the Refund. `request` None
    records the Refund's amount as a lump sum without restock. Idempotent:
    a Refund already succeeded is returned unchanged.
    """
    with transaction.atomic():
        order_id = Refund.objects.values_list("order_id", flat=True).get(pk=refund_id)
        order = Order.objects.select_for_update().get(pk=order_id)
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.status == Refund.Status.SUCCEEDED:
            return refund

        credit, restock = _credit_for(order, refund, request)
        refund.status = Refund.Status.SUCCEEDED
        refund.stripe_refund_id = stripe_refund_id
        refund.save(update_fields=["status", "stripe_refund_id", "updated_at"])
        credit_note = issue_credit_note(
            order=order,
            credit=credit,
            refund=refund,
            reason=refund.reason,
            restocked=restock,
        )
        refund_stock.return_units(credit_note=credit_note, restock=restock, user=user)
        post_refund(credit_note=credit_note)

    logger.info(
        "Refund recorded",
        extra={
            "order_id": order.pk,
            "refund_id": refund.pk,
            "credit_note_id": credit_note.pk,
            "amount": str(refund.amount),
        },
    )
    return refund


def record_charge_refunded(charge: Mapping[str, Any]) -> None:
    """Record the refunds of a `charge.refunded` event not recorded yet.

    A refund made here is found by its Stripe id and left alone. One made
    in Stripe's dashboard is recorded as a lump sum without restock. Raises
    RefundInProgressError for a refund still being made here, so that the
    event is rolled back and Stripe delivers it again later.
    """
    payment = _payment_for_charge(charge)
    if payment is None:
        logger.warning(
            "Refunded charge matches no payment", extra={"charge_id": charge["id"]}
        )
        return
    for stripe_refund in _refunds_in(charge):
        if stripe_refund.get("status") not in STRIPE_ACCEPTED:
            continue
        if Refund.objects.filter(stripe_refund_id=stripe_refund["id"]).exists():
            continue
        refund = _pending_refund_for(stripe_refund) or _dashboard_refund(
            payment, stripe_refund
        )
        complete_refund(
            refund_id=refund.pk, stripe_refund_id=stripe_refund["id"], request=None
        )


def _start_refund(*, order: Order, request: RefundRequest, reason: str, user) -> Refund:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        payment = _refundable_payment(order)
        balance = order_balance(order)
        credit = plan_credit(order, request, balance)
        if credit.total <= 0:
            raise RefundError(
                f"This refund comes to {format_money(credit.total)}, but a "
                f"refund must be from $0.01 to "
                f"{format_money(balance.remaining_total)}, the amount left to "
                f"refund on order {order.number}; change the lines or amount."
            )
        if request.restock:
            _check_restockable(order, request.units)
        return Refund.objects.create(
            order=order,
            payment=payment,
            amount=credit.total,
            status=Refund.Status.PENDING,
            reason=reason.strip()[:255],
            created_by=user,
        )


def _request_stripe_refund(refund: Refund) -> dict[str, Any]:
    try:
        stripe_refund = stripe_gateway.create_refund(
            payment_intent_id=refund.payment.stripe_payment_intent_id,
            amount=refund.amount,
            idempotency_key=f"refund-{refund.pk}",
            metadata={
                "refund_id": str(refund.pk),
                "order_number": str(refund.order.number),
            },
        )
    except stripe.StripeError as error:
        _mark_failed(refund, str(error.user_message or error))
        raise RefundError(
            f"Stripe did not refund {format_money(refund.amount)} on order "
            f"{refund.order.number}: {error.user_message or error}. Nothing was "
            "refunded; try again, or check the payment in Stripe."
        ) from error
    if stripe_refund.get("status") not in STRIPE_ACCEPTED:
        _mark_failed(refund, f"Stripe refund status {stripe_refund.get('status')}")
        raise RefundError(
            f"Stripe refund {stripe_refund['id']} on order {refund.order.number} "
            f"is {stripe_refund.get('status')}; check it in Stripe."
        )
    return stripe_refund


def _mark_failed(refund: Refund, message: str) -> None:
    Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
        status=Refund.Status.FAILED, updated_at=timezone.now()
    )
    logger.warning(
        "Refund failed at Stripe: %s",
        message,
        extra={"refund_id": refund.pk, "order_id": refund.order_id},
    )


def _refundable_payment(order: Order) -> Payment:
    if not order.is_paid:
        raise RefundError(
            f"Order {order.number} is {order.get_status_display().lower()}, not "
            "paid; only a paid order can be refunded."
        )
    pending = order.refunds.filter(status=Refund.Status.PENDING).first()
    if pending is not None:
        raise RefundError(
            f"A refund of {format_money(pending.amount)} on order {order.number} "
            "is still pending; wait for it to finish before refunding again."
        )
    payment = (
        order.payments.filter(status=Payment.Status.SUCCEEDED)
        .order_by("-succeeded_at", "-pk")
        .first()
    )
    if payment is None:
        raise RefundError(
            f"Order {order.number} has no succeeded card payment to refund."
        )
    return payment


def check_refund_amount(
    order: Order, amount: Decimal, balance: OrderBalance
) -> Decimal:
    """Check a lump sum against what is left to refund and return it.

    Raises RefundError naming the amount and the maximum for an amount that
    is not in whole cents, comes to $0.00 or less, or is above what is left.
    """
    left = balance.remaining_total
    if left <= 0:
        raise RefundError(
            f"Refund amount {format_money(round_money(amount))} is more than "
            f"the $0.00 left to refund on order {order.number}; everything "
            "paid is already refunded."
        )
    allowed = f"enter an amount from $0.01 to {format_money(left)}"
    if round_money(amount) <= 0:
        raise RefundError(
            f"Refund amount {amount} rounds to $0.00 or less; {allowed}, the "
            f"amount left to refund on order {order.number}."
        )
    if amount != round_money(amount):
        raise RefundError(
            f"Refund amount {amount} is not in whole cents; {allowed}, the "
            f"amount left to refund on order {order.number}."
        )
    if amount > left:
        raise RefundError(
            f"Refund amount {format_money(amount)} is more than the "
            f"{format_money(left)} left to refund on order {order.number}; "
            f"enter {format_money(left)} or less."
        )
    return amount


def _check_units(order: Order, units: Mapping[int, int], balance: OrderBalance) -> None:
    lines = {line.pk: line for line in order.lines.all()}
    for key, count in units.items():
        line = lines.get(key)
        if line is None:
            raise RefundError(f"Order line {key} is not on order {order.number}.")
        left = balance.line(key).remaining_quantity
        if count < 0:
            raise RefundError(f"{line.sku}: {count} units is invalid; enter 0 or more.")
        if count > left and left == 0:
            raise RefundError(
                f"{line.sku}: all {line.quantity} units sold are already "
                "refunded; set its quantity to 0."
            )
        if count > left:
            raise RefundError(
                f"{line.sku}: {count} units requested, but only {left} of the "
                f"{line.quantity} sold are left to refund; enter {left} or fewer."
            )


def _check_restockable(order: Order, units: Mapping[int, int]) -> None:
    keys = [key for key, count in units.items() if count]
    for line in order.lines.filter(pk__in=keys, variant__isnull=True):
        raise RefundError(
            f"{line.sku} is no longer in the catalog, so its units cannot go "
            "back in stock; untick restock to refund without it."
        )


def _credit_for(
    order: Order, refund: Refund, request: RefundRequest | None
) -> tuple[Credit, bool]:
    balance = order_balance(order)
    if request is not None:
        try:
            return plan_credit(order, request, balance), request.restock
        except RefundError:
            # Something else was refunded since the request was checked
            # (a dashboard refund, say). The money has left the card, so
            # record it as a lump sum rather than lose it.
            logger.warning(
                "Refund request no longer fits the order; recorded as a lump sum",
                extra={"refund_id": refund.pk, "order_id": order.pk},
            )
    amount = min(refund.amount, balance.remaining_total)
    if amount != refund.amount:
        logger.error(
            "Refund exceeds what is left on the order; credit note capped",
            extra={"refund_id": refund.pk, "order_id": order.pk},
        )
    return credit_for_amount(balance, amount, shipping=True), False


def _payment_for_charge(charge: Mapping[str, Any]) -> Payment | None:
    by_charge = Payment.objects.filter(stripe_charge_id=charge["id"]).first()
    if by_charge is not None or not charge.get("payment_intent"):
        return by_charge
    return Payment.objects.filter(
        stripe_payment_intent_id=charge["payment_intent"]
    ).first()


def _refunds_in(charge: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    embedded = charge.get("refunds")
    if isinstance(embedded, Mapping):
        return list(embedded.get("data") or [])
    # Since API version 2022-11-15 Stripe leaves `refunds` out of the
    # charge unless expanded, so ask for them.
    # TODO: this reads the Stripe API inside the webhook's transaction.
    return stripe_gateway.list_refunds(charge_id=charge["id"])


def _pending_refund_for(stripe_refund: Mapping[str, Any]) -> Refund | None:
    refund_id = str((stripe_refund.get("metadata") or {}).get("refund_id", ""))
    if not refund_id.isdigit():
        return None
    refund = Refund.objects.filter(
        pk=int(refund_id), status=Refund.Status.PENDING
    ).first()
    if refund is not None and timezone.now() - refund.created_at < COMPLETION_GRACE:
        raise RefundInProgressError(
            f"Refund {refund.pk} is still being made; Stripe will deliver "
            "the event again."
        )
    return refund


def _dashboard_refund(payment: Payment, stripe_refund: Mapping[str, Any]) -> Refund:
    amount = stripe_gateway.from_minor_units(stripe_refund["amount"])
    if amount <= ZERO:
        raise ValueError(f"Stripe refund {stripe_refund['id']} has no amount.")
    return Refund.objects.create(
        order_id=payment.order_id,
        payment=payment,
        amount=amount,
        status=Refund.Status.PENDING,
        reason=DASHBOARD_REASON,
    )
