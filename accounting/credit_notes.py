"""Credit notes: what an order has left to credit, issuing, and emailing.

A credit note is numbered without gaps in its own series ("credit_note")
and never changes once issued; a mistake is corrected by another document.
The amounts come from accounting.credit_note_amounts; this module reads the
order into plain values and writes the result.
"""

import logging
from collections import defaultdict
from decimal import Decimal
from typing import cast

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounting.credit_note_amounts import (
    Credit,
    LineBalance,
    OrderBalance,
    TaxBalance,
    split_cents,
)
from accounting.credit_note_documents import (
    credit_note_filename,
    render_credit_note_email,
    render_credit_note_pdf,
)
from accounting.models import CreditNote, CreditNoteLine, CreditNoteTax, Invoice
from orders.models import Order, OrderLine, Refund
from orders.taxes import TaxableItem, calculate_taxes
from shop.emails import send_logged_email
from shop.models import TaxClass
from shop.money import ZERO, round_money
from shop.queueing import enqueue_on_commit
from shop.sequences import next_number

from .document_email import email_document_once

logger = logging.getLogger(__name__)

# Taxes a province levies itself; an order charged one of them shows that
# the shop is registered for it in the delivery province.
PROVINCIAL_TAX_CODES = frozenset({"PST", "RST", "QST"})


def order_balance(order: Order) -> OrderBalance:
    """Read what `order` charged and what its credit notes gave back."""
    credited_lines = {
        row["order_line"]: row
        for row in CreditNoteLine.objects.filter(credit_note__order=order)
        .values("order_line")
        .annotate(units=Sum("quantity"), net=Sum("amount"), tax=Sum("tax_amount"))
    }
    order_lines = list(order.lines.all())
    taxes = _tax_balances(order)
    goods_taxes = _goods_taxes(order_lines, taxes)
    lines = tuple(
        _line_balance(line, goods_tax, credited_lines.get(line.pk))
        for line, goods_tax in zip(order_lines, goods_taxes, strict=True)
    )
    notes = CreditNote.objects.filter(order=order).aggregate(
        shipping=Sum("shipping_amount"), tax=Sum("tax_amount")
    )
    # Whatever tax the credit notes gave back beyond their lines' tax was
    # tax on shipping, so the amount left stays right for any split.
    lines_tax = sum((line.credited_tax for line in lines), ZERO)
    return OrderBalance(
        lines=lines,
        taxes=taxes,
        shipping_net=order.shipping_amount,
        credited_shipping_net=_money_sum(notes["shipping"]),
        credited_shipping_tax=_money_sum(notes["tax"]) - lines_tax,
    )


def issue_credit_note(
    *,
    order: Order,
    credit: Credit,
    refund: Refund | None = None,
    reason: str = "",
    restocked: bool = False,
) -> CreditNote:
    """Issue a credit note for `credit` against the order's invoice.

    Call inside the transaction that records the refund: the credit note
    counter stays locked until commit, so numbers have no gaps. Queues the
    email to the customer on commit. Raises ValueError for an order without
    an invoice or a credit of zero.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "issue_credit_note() must be called inside transaction.atomic"
        )
    invoice = Invoice.objects.filter(order=order).first()
    if invoice is None:
        raise ValueError(
            f"Order {order.number} has no invoice, so there is nothing to credit; "
            "record its payment first."
        )
    if credit.total <= 0:
        raise ValueError(
            f"The credit for order {order.number} is {credit.total}; "
            "choose lines, shipping or an amount above zero."
        )

    credit_note = CreditNote.objects.create(
        number=next_number("credit_note"),
        invoice=invoice,
        order=order,
        refund=refund,
        issued_at=timezone.now(),
        reason=reason[:255],
        restocked=restocked,
        subtotal_amount=credit.subtotal,
        shipping_amount=credit.shipping_net,
        tax_amount=credit.tax_total,
        total_amount=credit.total,
    )
    _write_lines(credit_note, credit)
    queue_credit_note_email(credit_note)

    logger.info(
        "Credit note %s issued for order %s",
        credit_note.number,
        order.number,
        extra={"credit_note_id": credit_note.pk, "order_id": order.pk},
    )
    return credit_note


def _write_lines(credit_note: CreditNote, credit: Credit) -> None:
    CreditNoteLine.objects.bulk_create(
        CreditNoteLine(
            credit_note=credit_note,
            order_line_id=cast(int, line.key),
            quantity=line.quantity,
            amount=line.net_amount,
            tax_amount=line.tax_amount,
        )
        for line in credit.lines
    )
    CreditNoteTax.objects.bulk_create(
        CreditNoteTax(
            credit_note=credit_note,
            code=tax.code,
            name=tax.name,
            rate=tax.rate,
            amount=tax.amount,
        )
        for tax in credit.taxes
    )


def _money_sum(total: Decimal | None) -> Decimal:
    """Round a database sum of amounts to the cent, None counting as zero.

    SQLite sums decimal columns as floating point, so a sum such as
    2.0700000000001 would otherwise make the amount left miss a cent.
    """
    return ZERO if total is None else round_money(total)


def _goods_taxes(
    order_lines: list[OrderLine], taxes: tuple[TaxBalance, ...]
) -> list[Decimal]:
    """Return each line's tax on its goods alone, without shipping tax.

    Checkout stores each line's tax with a share of the shipping tax added,
    so that the lines' taxes add up to the order's tax. A balance counts the
    shipping tax apart, so that share is taken off again. The lines' taxes
    beyond the tax on goods are split back in proportion to each line's tax.
    Lines that already carry only the tax on their goods, as counter sales
    do, are kept as stored.
    """
    # NOTE: a line's share can differ by a cent from the one checkout gave
    # it, because checkout split by the tax on goods alone. The shares
    # always add up to the shipping tax.
    stored = [line.tax_amount for line in order_lines]
    goods_total = sum((tax.goods_amount for tax in taxes), ZERO)
    shipping_total = sum((tax.shipping_amount for tax in taxes), ZERO)
    shipping_shares = sum(stored, ZERO) - goods_total
    if shipping_shares <= 0 or shipping_shares > shipping_total:
        return stored
    return [
        tax - share
        for tax, share in zip(stored, split_cents(shipping_shares, stored), strict=True)
    ]


def _line_balance(
    line: OrderLine, goods_tax: Decimal, credited: dict | None
) -> LineBalance:
    credited = credited or {}
    # A credit note issued when line taxes still held a share of the
    # shipping tax credited that share on its lines; count it as shipping.
    credited_tax = min(_money_sum(credited.get("tax")), goods_tax)
    return LineBalance(
        key=line.pk,
        quantity=line.quantity,
        net_amount=line.subtotal_amount,
        tax_amount=goods_tax,
        tax_class=line.tax_class,
        credited_quantity=credited.get("units") or 0,
        credited_net=_money_sum(credited.get("net")),
        credited_tax=credited_tax,
    )


def _tax_balances(order: Order) -> tuple[TaxBalance, ...]:
    credited = dict(
        CreditNoteTax.objects.filter(credit_note__order=order)
        .values("code")
        .annotate(total=Sum("amount"))
        .values_list("code", "total")
    )
    order_taxes = list(order.taxes.all())
    classes = tax_classes_by_code(
        province=order.ship_province,
        registered=bool({tax.code for tax in order_taxes} & PROVINCIAL_TAX_CODES),
    )
    return tuple(
        TaxBalance(
            code=tax.code,
            name=tax.name,
            rate=tax.rate,
            amount=tax.amount,
            shipping_amount=tax.shipping_amount,
            tax_classes=classes.get(tax.code, frozenset()),
            credited=_money_sum(credited.get(tax.code)),
        )
        for tax in order_taxes
    )


def tax_classes_by_code(*, province: str, registered: bool) -> dict[str, frozenset]:
    """Map each tax code charged in `province` to the tax classes it taxes.

    Asks orders.taxes about one item of each class, so the rule of which
    goods pay which tax stays in one place.
    """
    classes: dict[str, set[str]] = defaultdict(set)
    for tax_class in TaxClass.values:
        breakdown = calculate_taxes(
            province=province,
            items=[TaxableItem("item", Decimal("100.00"), tax_class)],
            shipping_amount=ZERO,
            registrations=[province] if registered else [],
        )
        for component in breakdown.components:
            classes[component.code].add(tax_class)
    return {code: frozenset(values) for code, values in classes.items()}


def resend_credit_note_email(*, credit_note: CreditNote) -> None:
    """Mark the credit note email as owed again and queue it on commit."""
    CreditNote.objects.filter(pk=credit_note.pk).update(
        emailed_at=None, email_attempts=0, last_email_error=""
    )
    queue_credit_note_email(credit_note)
    logger.info(
        "Credit note %s email requested again",
        credit_note.number,
        extra={"credit_note_id": credit_note.pk},
    )


def queue_credit_note_email(credit_note: CreditNote) -> None:
    # Imported here because accounting.tasks imports this module.
    from accounting.tasks import send_credit_note_email

    enqueue_on_commit(send_credit_note_email, credit_note.pk)


def credit_note_pdf(credit_note: CreditNote) -> bytes:
    """Return the stored PDF, rendering and storing it if missing."""
    if credit_note.pdf:
        with credit_note.pdf.open("rb") as stored:
            return stored.read()
    content = render_credit_note_pdf(credit_note)
    credit_note.pdf.save(
        credit_note_filename(credit_note), ContentFile(content), save=False
    )
    CreditNote.objects.filter(pk=credit_note.pk).update(pdf=credit_note.pdf.name)
    return content


def email_credit_note(*, credit_note_id: int) -> bool:
    """Email the credit note PDF to the customer unless already emailed.

    Returns False, sending nothing, when it was emailed already or another
    worker is sending it now. A failure is recorded on the credit note and
    raised again for a retry.
    """
    return email_document_once(
        CreditNote,
        credit_note_id,
        _send_pdf,
        label="Credit note",
        related=("order", "invoice"),
    )


def _send_pdf(credit_note: CreditNote) -> None:
    pdf = credit_note_pdf(credit_note)
    email = render_credit_note_email(credit_note)
    send_logged_email(
        to=credit_note.order.email,
        subject=email.subject,
        text_body=email.text_body,
        html_body=email.html_body,
        attachments=[(credit_note_filename(credit_note), pdf, "application/pdf")],
        kind="credit_note",
        reference=str(credit_note.number),
    )
