"""The journal entries of a period, loaded once for every export format."""

from django.db.models import Prefetch

from accounting.models import JournalEntry, JournalLine
from accounting.reports.periods import Period


def list_entries(*, period: Period) -> list[JournalEntry]:
    """Return the entries dated in the period, oldest first, with their
    lines, accounts and documents loaded. Two queries."""
    lines = JournalLine.objects.select_related("account").order_by("id")
    return list(
        JournalEntry.objects.filter(entry_date__range=(period.start, period.end))
        .select_related(
            "order__customer",
            "payment",
            "refund",
            "invoice",
            "credit_note",
            "stock_movement",
            "supplier_bill__supplier",
            "payout",
            "reverses",
        )
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("entry_date", "id")
    )


def document_references(entry: JournalEntry) -> list[str]:
    """Name the documents an entry was posted for ("order 100001")."""
    references = []
    if entry.order is not None:
        references.append(f"order {entry.order.number}")
    if entry.invoice is not None:
        references.append(f"invoice {entry.invoice.number}")
    if entry.payment is not None:
        references.append(f"payment {entry.payment.stripe_payment_intent_id}")
    if entry.refund is not None:
        references.append(f"refund {entry.refund.stripe_refund_id or entry.refund.pk}")
    if entry.credit_note is not None:
        references.append(f"credit note {entry.credit_note.number}")
    if entry.stock_movement is not None:
        references.append(f"stock movement {entry.stock_movement.pk}")
    if entry.supplier_bill is not None:
        bill = entry.supplier_bill
        references.append(f"bill {bill.supplier.name} {bill.supplier_invoice_number}")
    if entry.payout is not None:
        references.append(f"payout {entry.payout.stripe_payout_id}")
    if entry.reverses is not None:
        references.append(f"reverses entry {entry.reverses.pk}")
    return references


def counterparty_name(entry: JournalEntry) -> str:
    """Return the customer or supplier an entry concerns, or ""."""
    if entry.supplier_bill is not None:
        return entry.supplier_bill.supplier.name
    if entry.order is not None:
        return str(entry.order.customer)
    return ""
