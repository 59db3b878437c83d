"""The trial balance: every account's debits, credits and balance."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from accounting.models import Account, JournalLine
from shop.money import ZERO, round_money

from .periods import Period


@dataclass(frozen=True)
class AccountTotals:
    debit: Decimal = ZERO
    credit: Decimal = ZERO


@dataclass(frozen=True)
class TrialBalanceRow:
    """One account's movement over the period.

    Balances are on the account's normal side: positive when an asset or
    expense has a debit balance, or a liability, equity or revenue account
    a credit balance. Sales returns, a revenue account, shows negative.
    """

    account: Account
    opening_balance: Decimal
    debit: Decimal
    credit: Decimal
    closing_balance: Decimal

    @property
    def closing_debit(self) -> Decimal:
        """The closing balance when it is a debit, else zero."""
        return max(self._signed_closing, ZERO)

    @property
    def closing_credit(self) -> Decimal:
        """The closing balance when it is a credit, else zero."""
        return max(-self._signed_closing, ZERO)

    @property
    def _signed_closing(self) -> Decimal:
        sign = 1 if self.account.is_debit_normal else -1
        return sign * self.closing_balance


@dataclass(frozen=True)
class TrialBalance:
    period: Period
    rows: list[TrialBalanceRow]

    @property
    def total_debit(self) -> Decimal:
        return sum((row.debit for row in self.rows), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((row.credit for row in self.rows), ZERO)

    @property
    def total_closing_debit(self) -> Decimal:
        return sum((row.closing_debit for row in self.rows), ZERO)

    @property
    def total_closing_credit(self) -> Decimal:
        return sum((row.closing_credit for row in self.rows), ZERO)

    @property
    def is_balanced(self) -> bool:
        return (
            self.total_debit == self.total_credit
            and self.total_closing_debit == self.total_closing_credit
        )


def account_totals(
    *, start: date | None = None, end: date | None = None
) -> dict[int, AccountTotals]:
    """Sum debits and credits per account id over entries dated in a range.

    Either bound may be left out; both are included. One query. Sums are
    rounded to the cent because SQLite returns them with more places.
    """
    condition = Q()
    if start is not None:
        condition &= Q(entry__entry_date__gte=start)
    if end is not None:
        condition &= Q(entry__entry_date__lte=end)
    sums = (
        JournalLine.objects.filter(condition)
        .values("account_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    )
    return {
        row["account_id"]: AccountTotals(
            round_money(row["debit"]), round_money(row["credit"])
        )
        for row in sums
    }


def normal_balance(account: Account, totals: AccountTotals) -> Decimal:
    """Return debits less credits, or credits less debits for an account
    whose balance is normally a credit."""
    if account.is_debit_normal:
        return totals.debit - totals.credit
    return totals.credit - totals.debit


def trial_balance(*, period: Period) -> TrialBalance:
    """List every account with its opening balance, the period's debits
    and credits, and its closing balance. Three queries."""
    before = account_totals(end=_day_before(period.start))
    during = account_totals(start=period.start, end=period.end)
    rows = []
    for account in Account.objects.order_by("code"):
        opening = normal_balance(account, before.get(account.pk, AccountTotals()))
        totals = during.get(account.pk, AccountTotals())
        rows.append(
            TrialBalanceRow(
                account=account,
                opening_balance=opening,
                debit=totals.debit,
                credit=totals.credit,
                closing_balance=opening + normal_balance(account, totals),
            )
        )
    return TrialBalance(period=period, rows=rows)


def _day_before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)
