"""Posting rules for sales: online by card through Stripe, and at the counter.

Online, the customer's money sits in Stripe until a payout, so the gross goes
to Stripe clearing. The goods and the shipping charge are revenue. Each sales
tax is owed to the government that levies it, so it gets its own line with its
code and the province it was charged for. The processor fee and the payout post
separately (accounting.posting.stripe).
"""

from accounting.ledger import Posting, credit, debit, post_entry
from accounting.models import Invoice, JournalEntry
from orders.models import Order, Payment

from .accounts import tax_payable_account
from .dates import shop_date


def sale_event_key(order: Order) -> str:
    """Return the ledger event key of an order's online sale."""
    return f"sale:order:{order.pk}"


def sale_postings(order: Order) -> list[Posting]:
    """Return the debits and credits of an order's sale and its taxes."""
    memo = f"Order {order.number}"
    postings = [
        debit("stripe_clearing", order.total_amount, memo=memo),
        credit("sales_online", order.subtotal_amount, memo=memo),
        credit("shipping_revenue", order.shipping_amount, memo=memo),
    ]
    province = order.ship_province
    for tax in order.taxes.all():
        postings.append(
            credit(
                tax_payable_account(code=tax.code, province=province),
                tax.amount,
                memo=f"{tax.name} on order {order.number}",
                tax_code=tax.code,
                province=province,
            )
        )
    return postings


def post_online_sale(*, order: Order, invoice: Invoice) -> JournalEntry:
    """Post a paid online order's revenue, shipping and sales taxes, once.

    Call inside the transaction that records the payment. The entry is
    dated the payment's day in the shop's time zone and refers to the
    order, its invoice and its succeeded payment. Posting the same order
    again returns its first entry (event key sale:order:<id>). Raises
    UnbalancedEntryError when the order's total differs from its subtotal,
    shipping and OrderTax rows added up.
    """
    payment = _succeeded_payment(order)
    paid_at = (payment.succeeded_at if payment else None) or order.paid_at
    if paid_at is None:
        raise ValueError(
            f"Order {order.number} is not paid; record its payment before "
            "posting its sale."
        )
    return post_entry(
        event_key=sale_event_key(order),
        kind=JournalEntry.Kind.SALE,
        description=f"Online sale, order {order.number}, invoice {invoice.number}",
        postings=sale_postings(order),
        entry_date=shop_date(paid_at),
        order=order,
        invoice=invoice,
        payment=payment,
    )


def _succeeded_payment(order: Order) -> Payment | None:
    return (
        order.payments.filter(status=Payment.Status.SUCCEEDED)
        .order_by("-succeeded_at", "-pk")
        .first()
    )


# The account counter takings sit in until banked or settled, by method.
COUNTER_PAYMENT_ACCOUNTS: dict[str, str] = {
    Payment.Method.CASH: "cash_drawer",
    Payment.Method.DEBIT: "card_terminal_clearing",
    Payment.Method.CARD_TERMINAL: "card_terminal_clearing",
}


def in_store_sale_postings(order: Order, payment: Payment) -> list[Posting]:
    """Return the debits and credits of a counter sale, its taxes and rounding.

    The drawer or the terminal takes what the customer paid: for cash, the
    total rounded to the nickel. The rounding goes to cash_rounding (a
    credit when the customer paid more), so sales and taxes stay as
    charged.
    """
    memo = f"Order {order.number}"
    postings = [
        debit(COUNTER_PAYMENT_ACCOUNTS[payment.method], payment.amount, memo=memo),
        credit("sales_in_store", order.subtotal_amount, memo=memo),
    ]
    province = order.ship_province
    for tax in order.taxes.all():
        postings.append(
            credit(
                tax_payable_account(code=tax.code, province=province),
                tax.amount,
                memo=f"{tax.name} on order {order.number}",
                tax_code=tax.code,
                province=province,
            )
        )
    postings.append(
        credit("cash_rounding", order.cash_rounding_amount, memo=f"{memo} cash")
    )
    return postings


def post_in_store_sale(*, order: Order) -> JournalEntry:
    """Post a counter sale's takings, revenue, sales taxes and rounding, once.

    Call inside the transaction that records the sale, after its payment
    and invoice. Taxes are owed to the province on the order (the store's).
    The entry is dated the sale's day in the shop's time zone. Posting the
    same order again returns its first entry (event key sale:order:<id>).
    Raises ValueError for an order without a succeeded counter payment and
    UnbalancedEntryError when the payment differs from the total plus the
    cash rounding.
    """
    payment = _succeeded_payment(order)
    if payment is None or payment.method not in COUNTER_PAYMENT_ACCOUNTS:
        raise ValueError(
            f"Order {order.number} has no succeeded cash, debit or terminal "
            "card payment; record the counter payment before posting its sale."
        )
    paid_at = payment.succeeded_at or order.paid_at
    if paid_at is None:
        raise ValueError(
            f"Order {order.number} has no payment time; record when it was paid."
        )
    invoice = Invoice.objects.filter(order=order).first()
    invoice_text = f", invoice {invoice.number}" if invoice else ""
    return post_entry(
        event_key=sale_event_key(order),
        kind=JournalEntry.Kind.SALE,
        description=f"In-store sale, order {order.number}{invoice_text}",
        postings=in_store_sale_postings(order, payment),
        entry_date=shop_date(paid_at),
        order=order,
        invoice=invoice,
        payment=payment,
    )
