"""Back-office screens for accounting, one module per document family."""

from . import bills, invoices, ledger, payouts, refunds, reports

__all__ = ["bills", "invoices", "ledger", "payouts", "refunds", "reports"]
