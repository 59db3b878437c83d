"""Posting rule for refunds: one entry per credit note."""

from zoneinfo import ZoneInfo

from django.conf import settings

from accounting.ledger import credit, debit, post_entry
from accounting.models import CreditNote, JournalEntry

from .accounts import tax_payable_account


def post_refund(*, credit_note: CreditNote) -> JournalEntry:
    """Post a credit note: the sale given back, paid out of Stripe clearing.

    Dr sales_returns for the goods, Dr shipping_revenue for the shipping
    credited, Dr the payable account of each tax given back, and Cr
    stripe_clearing for the total, since Stripe takes a refund out of the
    shop's Stripe balance. Goods returned to stock post themselves through
    their stock movement. Call inside the transaction that issues the credit
    note; a second call returns the entry already posted.
    """
    order = credit_note.order
    province = order.ship_province
    postings = [
        debit("sales_returns", credit_note.subtotal_amount, memo="Goods returned"),
        debit(
            "shipping_revenue", credit_note.shipping_amount, memo="Shipping refunded"
        ),
    ]
    for tax in credit_note.taxes.all():
        postings.append(
            debit(
                tax_payable_account(code=tax.code, province=province),
                tax.amount,
                memo=f"{tax.name} refunded",
                tax_code=tax.code,
                province=province,
            )
        )
    postings.append(
        credit("stripe_clearing", credit_note.total_amount, memo="Card refund")
    )
    return post_entry(
        event_key=f"refund:credit-note:{credit_note.pk}",
        kind=JournalEntry.Kind.REFUND,
        description=f"Credit note {credit_note.number} for order {order.number}",
        postings=postings,
        entry_date=credit_note.issued_at.astimezone(
            ZoneInfo(settings.SHOP_TIME_ZONE)
        ).date(),
        order=order,
        refund=credit_note.refund,
        invoice=credit_note.invoice,
        credit_note=credit_note,
    )
