"""Record what Stripe kept of each payment and what it paid out to the bank.

The services here store Stripe's figures on Payment, Payout and PayoutItem
rows and post them through accounting.posting.stripe in the same
transaction. Stripe is read (accounting.stripe_sync) before any
transaction opens. A row still missing its figures (a Payment whose
fee_amount is None, a Payout without items) is work the sweeps in
accounting.tasks pick up again.
"""

import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from accounting import stripe_sync, tasks
from accounting.models import Payout, PayoutItem
from accounting.posting.stripe import post_payout, post_processor_fee
from orders.models import Payment
from shop.money import ZERO
from shop.queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

# Errors worth retrying later: Stripe unreachable, rate limited, or failing
# on its side (5xx).
TRANSIENT_STRIPE_ERRORS = (
    stripe.APIConnectionError,
    stripe.RateLimitError,
    stripe.APIError,
)


def record_processor_fee(*, payment_id: int) -> Decimal | None:
    """Fetch Stripe's fee on a succeeded payment, store it and post it.

    Returns the fee, or None when it is not known yet (the payment has not
    succeeded, or Stripe has no balance transaction for it). Idempotent: a
    payment whose fee is stored is returned at once, without calling
    Stripe. Offline, localstripe may not know the payment (its state was
    reset) or report no balance transaction: the fee is then recorded as
    0. Raises stripe.StripeError for network and API errors. A payment
    Stripe does not know or a fee in another currency is logged as an
    error and left unknown.
    """
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None or payment.status != Payment.Status.SUCCEEDED:
        logger.info("No succeeded payment to record a fee for", extra=_ids(payment_id))
        return None
    if payment.fee_amount is not None:
        return payment.fee_amount

    try:
        charge = stripe_sync.fetch_charge_transaction(payment.stripe_payment_intent_id)
    except stripe.InvalidRequestError as error:
        if not settings.STRIPE_OFFLINE:
            logger.error("Stripe fee not readable: %s", error, extra=_ids(payment_id))
            return None
        charge = None
    except stripe_sync.UnexpectedCurrencyError as error:
        logger.error("Stripe fee not recorded: %s", error, extra=_ids(payment_id))
        return None
    if charge is None:
        return _record_missing_transaction(payment)
    return store_processor_fee(
        payment_id=payment_id, charge_id=charge.charge_id, fee_amount=charge.fee_amount
    ).fee_amount


def store_processor_fee(*, payment_id: int, charge_id: str, fee_amount: Decimal):
    """Store a payment's charge id and Stripe fee and post the fee.

    Locks the Payment row. A payment whose fee is already stored is
    returned unchanged, so the fee task and a payout's items may both
    call this. A fee of 0 is stored and posts nothing.
    """
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .select_related("order")
            .get(pk=payment_id)
        )
        if payment.fee_amount is not None:
            return payment
        payment.fee_amount = fee_amount
        payment.stripe_charge_id = charge_id or payment.stripe_charge_id
        payment.save(update_fields=["fee_amount", "stripe_charge_id", "updated_at"])
        post_processor_fee(payment=payment)

    logger.info(
        "Stripe fee recorded",
        extra={**_ids(payment_id), "fee_amount": str(fee_amount)},
    )
    return payment


def record_paid_payout(payout_object: Mapping[str, Any]) -> Payout:
    """Record a paid Stripe payout and post it to the bank account.

    `payout_object` is the Payout of a payout.paid event. Call inside the
    webhook's transaction. The payout's balance transactions are fetched
    by a task queued on commit. A payout already recorded is returned
    unchanged.
    """
    data = stripe_sync.parse_payout(payout_object)
    payout, created = Payout.objects.get_or_create(
        stripe_payout_id=data.id,
        defaults={
            "amount": data.amount,
            "arrival_date": data.arrival_date,
            "status": data.status,
        },
    )
    if not created:
        logger.info("Stripe payout already recorded", extra={"payout_id": payout.pk})
        return payout

    post_payout(payout=payout)
    enqueue_on_commit(tasks.record_payout_items, payout.pk)
    logger.info(
        "Stripe payout recorded",
        extra={"payout_id": payout.pk, "stripe_payout_id": data.id},
    )
    return payout


def record_payout_items(*, payout_id: int) -> int:
    """Fetch the balance transactions a payout settled and store them.

    Each charge or refund is matched to its Payment by charge id, else by
    payment intent id. Items matching no payment are still stored, with a
    warning. A matched charge whose Payment has no fee yet gets it from
    the item. Safe to run again: items already stored are skipped.
    Returns the number of items added.
    """
    payout = Payout.objects.get(pk=payout_id)
    transactions = list(stripe_sync.list_payout_transactions(payout.stripe_payout_id))

    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout_id)
        stored = set(
            payout.items.values_list("stripe_balance_transaction_id", flat=True)
        )
        new = [item for item in transactions if item.id not in stored]
        payments = _payments_for(new)
        items = PayoutItem.objects.bulk_create(
            _payout_item(payout, item, payments) for item in new
        )
        _store_missing_fees(new, payments)

    _warn_unmatched(payout, items)
    logger.info(
        "Stripe payout items recorded",
        extra={"payout_id": payout_id, "items_added": len(items)},
    )
    return len(items)


def _record_missing_transaction(payment: Payment) -> Decimal | None:
    if not settings.STRIPE_OFFLINE:
        # Stripe creates the balance transaction when a card charge
        # succeeds, so this is a delay on Stripe's side: the sweep tries
        # again later.
        logger.warning(
            "Stripe reported no balance transaction for a succeeded payment",
            extra=_ids(payment.pk),
        )
        return None
    logger.info(
        "localstripe reported no balance transaction; fee recorded as 0",
        extra=_ids(payment.pk),
    )
    return store_processor_fee(
        payment_id=payment.pk, charge_id="", fee_amount=ZERO
    ).fee_amount


def _payments_for(
    transactions: Iterable[stripe_sync.BalanceTransaction],
) -> dict[str, Payment]:
    """Map charge ids and payment intent ids to Payments, in one query."""
    charge_ids = {item.charge_id for item in transactions if item.charge_id}
    intent_ids = {item.payment_intent_id for item in transactions}
    intent_ids.discard("")
    if not charge_ids and not intent_ids:
        return {}
    payments = Payment.objects.filter(
        Q(stripe_charge_id__in=charge_ids) | Q(stripe_payment_intent_id__in=intent_ids)
    )
    found: dict[str, Payment] = {}
    for payment in payments:
        if payment.stripe_charge_id:
            found[payment.stripe_charge_id] = payment
        found[payment.stripe_payment_intent_id] = payment
    return found


def _payout_item(
    payout: Payout,
    item: stripe_sync.BalanceTransaction,
    payments: Mapping[str, Payment],
) -> PayoutItem:
    payment = payments.get(item.charge_id) or payments.get(item.payment_intent_id)
    return PayoutItem(
        payout=payout,
        stripe_balance_transaction_id=item.id,
        type=item.type,
        payment=payment,
        gross_amount=item.gross_amount,
        fee_amount=item.fee_amount,
        net_amount=item.net_amount,
    )


def _store_missing_fees(
    transactions: Iterable[stripe_sync.BalanceTransaction],
    payments: Mapping[str, Payment],
) -> None:
    for item in transactions:
        if item.type not in ("charge", "payment"):
            continue
        payment = payments.get(item.charge_id) or payments.get(item.payment_intent_id)
        if payment is not None and payment.fee_amount is None:
            store_processor_fee(
                payment_id=payment.pk,
                charge_id=item.charge_id,
                fee_amount=item.fee_amount,
            )


def _warn_unmatched(payout: Payout, items: Iterable[PayoutItem]) -> None:
    for item in items:
        if item.payment_id is None and item.type in ("charge", "payment", "refund"):
            logger.warning(
                "Stripe payout item matches no payment",
                extra={
                    "payout_id": payout.pk,
                    "stripe_balance_transaction_id": item.stripe_balance_transaction_id,
                },
            )


def _ids(payment_id: int) -> dict[str, int]:
    return {"payment_id": payment_id}
