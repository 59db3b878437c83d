from .bills import SupplierBill, SupplierBillLine, SupplierBillPayment
from .documents import (
    CreditNote,
    CreditNoteLine,
    CreditNoteTax,
    Invoice,
    invoice_upload_path,
)
from .ledger import Account, JournalEntry, JournalLine
from .payouts import Payout, PayoutItem

__all__ = [
    "Account",
    "CreditNote",
    "CreditNoteLine",
    "CreditNoteTax",
    "Invoice",
    "JournalEntry",
    "JournalLine",
    "Payout",
    "PayoutItem",
    "SupplierBill",
    "SupplierBillLine",
    "SupplierBillPayment",
    "invoice_upload_path",
]
