"""Financial and tax reports read from the ledger, for a period of business
days in the shop's time zone."""

from .periods import Period, parse_date, parse_period
from .reconciliation import Discrepancy, reconcile
from .sales_tax import SalesTaxReport, sales_tax_report
from .statements import BalanceSheet, IncomeStatement, balance_sheet, income_statement
from .stripe import monthly_fees, payouts
from .trial_balance import TrialBalance, trial_balance

__all__ = [
    "BalanceSheet",
    "Discrepancy",
    "IncomeStatement",
    "Period",
    "SalesTaxReport",
    "TrialBalance",
    "balance_sheet",
    "income_statement",
    "monthly_fees",
    "parse_date",
    "parse_period",
    "payouts",
    "reconcile",
    "sales_tax_report",
    "trial_balance",
]
