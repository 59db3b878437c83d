"""Back-office screens for accounting, one module per document family."""

from . import bills, invoices, refunds, reports

__all__ = ["bills", "invoices", "refunds", "reports"]
