"""Stripe processing fees per month, and payouts matched to their charges."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Sum
from django.utils import timezone

from accounting.models import JournalEntry, JournalLine, Payout, PayoutItem
from orders.models import Order, Payment
from shop.money import ZERO, round_money

from .periods import Period


@dataclass
class MonthlyFees:
    """Fees of one month: as posted to the ledger and as Stripe reported
    them on the payments that succeeded that month."""

    month: date
    posted: Decimal = ZERO
    reported: Decimal = ZERO
    payment_count: int = 0

    @property
    def difference(self) -> Decimal:
        return self.reported - self.posted


@dataclass(frozen=True)
class PayoutCharge:
    item: PayoutItem
    payment: Payment | None
    order: Order | None


@dataclass
class PayoutMatch:
    """A payout with the balance transactions it paid out.

    `unmatched` is what the payout amount and the sum of its items' net
    amounts disagree by; zero when every transaction is recorded.
    """

    payout: Payout
    charges: list[PayoutCharge] = field(default_factory=list)

    @property
    def gross_amount(self) -> Decimal:
        return sum((charge.item.gross_amount for charge in self.charges), ZERO)

    @property
    def fee_amount(self) -> Decimal:
        return sum((charge.item.fee_amount for charge in self.charges), ZERO)

    @property
    def net_amount(self) -> Decimal:
        return sum((charge.item.net_amount for charge in self.charges), ZERO)

    @property
    def unmatched(self) -> Decimal:
        return self.payout.amount - self.net_amount


def monthly_fees(*, period: Period) -> list[MonthlyFees]:
    """Sum processing fees per calendar month of the period.

    Posted fees are debits less credits on the processing fees account in
    processor fee entries; reported fees are Payment.fee_amount of the
    payments that succeeded in the month, in the shop's time zone.
    """
    months: dict[date, MonthlyFees] = {}

    def month_of(day: date) -> MonthlyFees:
        start = day.replace(day=1)
        return months.setdefault(start, MonthlyFees(month=start))

    posted = (
        JournalLine.objects.filter(
            entry__kind=JournalEntry.Kind.PROCESSOR_FEE,
            entry__entry_date__range=(period.start, period.end),
            account__key="processing_fees",
        )
        .values("entry__entry_date")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    )
    for row in posted:
        fee = round_money(row["debit"] - row["credit"])
        month_of(row["entry__entry_date"]).posted += fee

    opens, closes = period.bounds()
    payments = Payment.objects.filter(
        status=Payment.Status.SUCCEEDED,
        succeeded_at__gte=opens,
        succeeded_at__lt=closes,
        fee_amount__isnull=False,
    ).only("fee_amount", "succeeded_at")
    for payment in payments:
        month = month_of(timezone.localdate(payment.succeeded_at))
        month.reported += payment.fee_amount
        month.payment_count += 1
    return [months[key] for key in sorted(months)]


def payouts(*, period: Period) -> list[PayoutMatch]:
    """List payouts arriving in the period with each charge, payment and
    order they paid out. Three queries."""
    items = PayoutItem.objects.select_related("payment__order").order_by("id")
    found = (
        Payout.objects.filter(arrival_date__range=(period.start, period.end))
        .order_by("arrival_date", "id")
        .prefetch_related(Prefetch("items", queryset=items))
    )
    matches = []
    for payout in found:
        match = PayoutMatch(payout=payout)
        for item in payout.items.all():
            payment = item.payment
            order = payment.order if payment is not None else None
            match.charges.append(PayoutCharge(item, payment, order))
        matches.append(match)
    return matches
