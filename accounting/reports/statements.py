"""The income statement for a period and the balance sheet at a date."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from accounting.models import Account
from shop.money import ZERO

from .periods import Period
from .trial_balance import AccountTotals, account_totals, normal_balance

# Accounts the income statement shows as cost of goods sold rather than as
# operating expenses: goods sold and goods lost or written off.
COST_OF_GOODS_KEYS = ("cost_of_goods_sold", "inventory_shrinkage")
SALES_RETURNS_KEY = "sales_returns"


@dataclass(frozen=True)
class StatementLine:
    account: Account
    amount: Decimal


@dataclass
class Section:
    title: str
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


@dataclass(frozen=True)
class IncomeStatement:
    """Revenue less returns, cost of goods sold and expenses for a period.

    Sales returns are shown as a positive amount that is subtracted.
    """

    period: Period
    revenue: Section
    sales_returns: Section
    cost_of_goods_sold: Section
    expenses: Section

    @property
    def net_revenue(self) -> Decimal:
        return self.revenue.total - self.sales_returns.total

    @property
    def gross_profit(self) -> Decimal:
        return self.net_revenue - self.cost_of_goods_sold.total

    @property
    def net_income(self) -> Decimal:
        return self.gross_profit - self.expenses.total


@dataclass(frozen=True)
class BalanceSheet:
    """Assets, liabilities and equity at the end of a day.

    Retained earnings are all revenue less all expenses posted up to that
    day, since the ledger has no closing entries.
    """

    as_of: date
    assets: Section
    liabilities: Section
    equity: Section
    retained_earnings: Decimal

    @property
    def total_equity(self) -> Decimal:
        return self.equity.total + self.retained_earnings

    @property
    def total_liabilities_and_equity(self) -> Decimal:
        return self.liabilities.total + self.total_equity

    @property
    def is_balanced(self) -> bool:
        return self.assets.total == self.total_liabilities_and_equity


def income_statement(*, period: Period) -> IncomeStatement:
    """Build the income statement from entries dated in the period."""
    totals = account_totals(start=period.start, end=period.end)
    statement = IncomeStatement(
        period=period,
        revenue=Section("Revenue"),
        sales_returns=Section("Sales returns"),
        cost_of_goods_sold=Section("Cost of goods sold"),
        expenses=Section("Expenses"),
    )
    for account in Account.objects.filter(
        type__in=[Account.Type.REVENUE, Account.Type.EXPENSE]
    ).order_by("code"):
        account_total = totals.get(account.pk)
        if account_total is None:
            continue
        amount = normal_balance(account, account_total)
        if account.key == SALES_RETURNS_KEY:
            section, amount = statement.sales_returns, -amount
        elif account.type == Account.Type.REVENUE:
            section = statement.revenue
        elif account.key in COST_OF_GOODS_KEYS:
            section = statement.cost_of_goods_sold
        else:
            section = statement.expenses
        section.lines.append(StatementLine(account, amount))
    return statement


def balance_sheet(*, as_of: date) -> BalanceSheet:
    """Build the balance sheet from every entry dated up to `as_of`."""
    totals = account_totals(end=as_of)
    sheet = BalanceSheet(
        as_of=as_of,
        assets=Section("Assets"),
        liabilities=Section("Liabilities"),
        equity=Section("Equity"),
        retained_earnings=retained_earnings(totals),
    )
    sections = {
        Account.Type.ASSET: sheet.assets,
        Account.Type.LIABILITY: sheet.liabilities,
        Account.Type.EQUITY: sheet.equity,
    }
    for account in Account.objects.filter(type__in=list(sections)).order_by("code"):
        account_total = totals.get(account.pk)
        if account_total is None:
            continue
        amount = normal_balance(account, account_total)
        sections[Account.Type(account.type)].lines.append(
            StatementLine(account, amount)
        )
    return sheet


def retained_earnings(totals: dict[int, AccountTotals]) -> Decimal:
    """Return revenue less expenses over the given account totals."""
    earnings = ZERO
    for account in Account.objects.filter(
        pk__in=list(totals), type__in=[Account.Type.REVENUE, Account.Type.EXPENSE]
    ):
        account_total = totals[account.pk]
        earnings += account_total.credit - account_total.debit
    return earnings
