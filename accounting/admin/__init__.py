"""Back-office screens for accounting, one module per document family."""

from . import invoices

__all__ = ["invoices"]
