"""Posting rules for shipping labels the shop buys from a carrier.

The shop pays Canada Post for each label by card or account at purchase,
so a label debits shipping expense (before tax) and GST/HST recoverable
(the input tax credit) and credits the bank in one entry.
"""

from django.utils import timezone

from accounting.ledger import credit, debit, post_entry, reverse_entry
from accounting.models import JournalEntry
from fulfillment.models import Shipment
from shop.money import ZERO


def label_event_key(shipment: Shipment) -> str:
    return f"label:shipment:{shipment.pk}"


def post_label_cost(*, shipment: Shipment) -> JournalEntry | None:
    """Post a bought label: Dr shipping expense and GST/HST, Cr bank.

    Posts nothing for a label that cost nothing. Dated the business day the
    label was bought. Idempotent by the event key label:shipment:<id>. Call
    inside the transaction that stores the label.
    """
    cost = shipment.label_cost_amount or ZERO
    tax = shipment.label_tax_amount or ZERO
    if not cost and not tax:
        return None

    memo = f"Label {shipment.tracking_number}, shipment {shipment.number}"
    bought_at = shipment.labelled_at or timezone.now()
    # NOTE: Canada Post's quote gives one tax total. It is GST/HST for
    # labels bought in Nova Scotia; a provincial tax in it (QST) would
    # need its own recoverable account.
    return post_entry(
        event_key=label_event_key(shipment),
        # TODO: a SHIPPING_LABEL kind needs an accounting migration; a label
        # is booked as a carrier's bill paid at once until then.
        kind=JournalEntry.Kind.SUPPLIER_BILL,
        description=f"Shipping label for shipment {shipment.number}",
        postings=[
            debit("shipping_expense", cost, memo=memo),
            debit("gst_hst_recoverable", tax, memo=memo),
            credit("bank", cost + tax, memo=memo),
        ],
        entry_date=timezone.localdate(bought_at),
        order_id=shipment.order_id,
    )


def reverse_label_cost(*, shipment: Shipment, reason: str) -> JournalEntry | None:
    """Reverse the posted cost of a voided or refunded label.

    Returns None when no cost was posted. Reversing twice returns the first
    reversal. Call inside the transaction that clears the label.
    """
    entry = JournalEntry.objects.filter(event_key=label_event_key(shipment)).first()
    if entry is None:
        return None
    return reverse_entry(entry=entry, reason=reason)
