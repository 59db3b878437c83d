"""Back-office screens for accounting, one module per document family."""

from . import bills, invoices, payouts, refunds, reports

__all__ = ["bills", "invoices", "payouts", "refunds", "reports"]
