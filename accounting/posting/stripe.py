"""Posting rules for Stripe: processing fees and payouts to the bank.

Stripe clearing holds what Stripe owes the shop. A paid sale debits it for
the amount charged; Stripe's fee and each payout to the bank credit it, so
its balance follows the Stripe balance to the cent.
"""

from django.utils import timezone

from accounting.ledger import credit, debit, post_entry
from accounting.models import JournalEntry, Payout
from orders.models import Payment


def post_processor_fee(*, payment: Payment) -> JournalEntry | None:
    """Post Stripe's fee on a payment: Dr processing fees, Cr Stripe clearing.

    Posts nothing while the fee is unknown (None) or when it is 0. Dated
    the business day the payment succeeded. Idempotent by the event key
    fee:payment:<id>. Call inside the transaction that stores the fee.
    """
    if not payment.fee_amount:
        return None

    order_number = payment.order.number
    memo = f"Stripe fee, order {order_number}"
    paid_at = payment.succeeded_at or timezone.now()
    return post_entry(
        event_key=f"fee:payment:{payment.pk}",
        kind=JournalEntry.Kind.PROCESSOR_FEE,
        description=f"Stripe processing fee on order {order_number}",
        postings=[
            debit("processing_fees", payment.fee_amount, memo=memo),
            credit("stripe_clearing", payment.fee_amount, memo=memo),
        ],
        entry_date=timezone.localdate(paid_at),
        payment=payment,
        order_id=payment.order_id,
    )


def post_payout(*, payout: Payout) -> JournalEntry | None:
    """Post a Stripe payout: Dr bank, Cr Stripe clearing, on its arrival date.

    A negative amount (Stripe debiting the bank to cover a negative
    balance) posts the other way round. A payout of 0 posts nothing.
    Idempotent by the event key payout:<Stripe payout id>.
    """
    if not payout.amount:
        return None

    memo = f"Stripe payout {payout.stripe_payout_id}"
    return post_entry(
        event_key=f"payout:{payout.stripe_payout_id}",
        kind=JournalEntry.Kind.PAYOUT,
        description=memo,
        postings=[
            debit("bank", payout.amount, memo=memo),
            credit("stripe_clearing", payout.amount, memo=memo),
        ],
        entry_date=payout.arrival_date,
        payout=payout,
    )
