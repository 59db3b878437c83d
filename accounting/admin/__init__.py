"""Back-office screens for accounting, one module per document family."""

from . import bills, invoices, reports

__all__ = ["bills", "invoices", "reports"]
