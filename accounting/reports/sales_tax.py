"""Sales tax collected per period, and the figures of each tax return.

The federal return (GST/HST, form GST34) uses these lines, as the Canada
Revenue Agency's "Complete a GST/HST return" instructions define them:

- 101: sales and other revenue for the period, before GST/HST and
  provincial sales tax, zero-rated supplies included;
- 103: GST and HST collected or collectible;
- 106: GST/HST paid on business purchases (input tax credits);
- 109: net tax, line 103 less line 106 when there are no adjustments
  (lines 104 and 107).

Tax given back on credit notes is netted into line 103 rather than
reported as a line 107 adjustment, so 103 is the GST/HST the period
actually kept. Amounts stay to the cent; the paper return rounds them to
the dollar.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from accounting.models import Account, CreditNoteTax, JournalEntry, JournalLine
from accounting.posting.accounts import TAX_ACCOUNT_KEYS
from orders.models import OrderTax
from shop.money import ZERO, round_money

from .periods import Period

FEDERAL_CODES = ("GST", "HST")
# The provincial returns a shop may have to file: (tax code, province, name).
PROVINCIAL_RETURNS = (
    ("PST", "BC", "British Columbia PST"),
    ("PST", "SK", "Saskatchewan PST"),
    ("RST", "MB", "Manitoba RST"),
    ("QST", "QC", "Quebec QST"),
)


@dataclass(frozen=True)
class TaxCollected:
    """One tax in one province: charged on sales, given back on refunds."""

    code: str
    province: str
    charged: Decimal
    refunded: Decimal

    @property
    def collected(self) -> Decimal:
        return self.charged - self.refunded


@dataclass(frozen=True)
class GstHstReturn:
    line_101: Decimal
    line_103: Decimal
    line_106: Decimal

    @property
    def line_109(self) -> Decimal:
        return self.line_103 - self.line_106


@dataclass(frozen=True)
class ProvincialReturn:
    """A provincial tax return's figures: the taxable sales and the tax."""

    code: str
    province: str
    name: str
    taxable_sales: Decimal
    collected: Decimal


@dataclass(frozen=True)
class SalesTaxReport:
    period: Period
    collected: list[TaxCollected]
    gst_hst: GstHstReturn
    provincial: list[ProvincialReturn]


def sales_tax_report(*, period: Period) -> SalesTaxReport:
    """Build the sales tax report from the entries dated in the period."""
    collected = tax_collected(period=period)
    by_code = {(row.code, row.province): row.collected for row in collected}
    gst_hst = GstHstReturn(
        line_101=_revenue(period),
        line_103=sum(
            (row.collected for row in collected if row.code in FEDERAL_CODES), ZERO
        ),
        line_106=_input_tax_credits(period),
    )
    bases = taxable_sales(period=period)
    provincial = [
        ProvincialReturn(
            code=code,
            province=province,
            name=name,
            taxable_sales=bases.get((code, province), ZERO),
            collected=by_code.get((code, province), ZERO),
        )
        for code, province, name in PROVINCIAL_RETURNS
    ]
    return SalesTaxReport(period, collected, gst_hst, provincial)


def tax_collected(*, period: Period) -> list[TaxCollected]:
    """Sum tax lines on the tax payable accounts by tax code and province.

    Credits are tax charged and debits tax given back. Lines without a tax
    code, such as a remittance to the government, are left out.
    """
    rows = (
        JournalLine.objects.filter(
            _in_period(period),
            account__key__in=set(TAX_ACCOUNT_KEYS.values()),
        )
        .exclude(tax_code="")
        .values("tax_code", "province")
        .annotate(charged=Sum("credit"), refunded=Sum("debit"))
        .order_by("tax_code", "province")
    )
    return [
        TaxCollected(
            row["tax_code"],
            row["province"],
            round_money(row["charged"]),
            round_money(row["refunded"]),
        )
        for row in rows
    ]


def taxable_sales(*, period: Period) -> dict[tuple[str, str], Decimal]:
    """Return the sales each tax applied to, per tax code and province,
    less refunds.

    Sales are the orders whose sale entry is dated in the period, with the
    taxable amount checkout stored on each OrderTax.
    """
    sold = (
        OrderTax.objects.filter(
            order__journalentry__kind=JournalEntry.Kind.SALE,
            order__journalentry__entry_date__range=(period.start, period.end),
        )
        .values("code", "order__ship_province")
        .annotate(base=Sum("taxable_amount"))
        .order_by()
    )
    bases: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for row in sold:
        bases[row["code"], row["order__ship_province"]] += round_money(row["base"])
    for key, base in _refunded_bases(period).items():
        bases[key] -= base
    return dict(bases)


def _refunded_bases(period: Period) -> dict[tuple[str, str], Decimal]:
    # NOTE: a credit note stores each tax's amount and rate but not the
    # amount it was charged on, so the refunded base is the tax divided by
    # the rate; it can be off by a few cents from the credited lines.
    taxes = (
        CreditNoteTax.objects.filter(
            credit_note__journalentry__kind=JournalEntry.Kind.REFUND,
            credit_note__journalentry__entry_date__range=(period.start, period.end),
        )
        .exclude(rate=0)
        .select_related("credit_note__order")
    )
    bases: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for tax in taxes:
        province = tax.credit_note.order.ship_province
        bases[tax.code, province] += round_money(tax.amount / tax.rate)
    return bases


def _revenue(period: Period) -> Decimal:
    totals = JournalLine.objects.filter(
        _in_period(period), account__type=Account.Type.REVENUE
    ).aggregate(credit=Sum("credit"), debit=Sum("debit"))
    return round_money((totals["credit"] or ZERO) - (totals["debit"] or ZERO))


def _input_tax_credits(period: Period) -> Decimal:
    # Manual entries are left out: moving the recoverable balance against
    # the payable account when the return is filed claims no new credit.
    totals = (
        JournalLine.objects.filter(
            _in_period(period), account__key="gst_hst_recoverable"
        )
        .exclude(entry__kind=JournalEntry.Kind.MANUAL)
        .aggregate(debit=Sum("debit"), credit=Sum("credit"))
    )
    return round_money((totals["debit"] or ZERO) - (totals["credit"] or ZERO))


def _in_period(period: Period) -> Q:
    return Q(entry__entry_date__range=(period.start, period.end))
