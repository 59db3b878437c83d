"""What a credit note gives back: net amounts, each tax and the total.

Pure rules on plain values. An `OrderBalance` contains what an order charged
and what earlier credit notes already gave back; the three functions below
work out the next credit note from it:

- `credit_for_units`: units of some lines, and the shipping if chosen. Each
  tax is the share of what the order charged for it, in proportion to the
  net amounts credited, so the rates stay those of the sale even after a
  rate change.
- `credit_for_amount`: a lump sum, tax included, split across the lines
  (and the shipping if chosen) in proportion to what is left of each.
- `credit_remaining`: everything not yet given back, to the cent.

Whenever a credit leaves nothing of the order, it is `credit_remaining`, so
that a series of partial credits always adds up exactly to the sale.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from shop.money import CENT, ZERO, round_money


@dataclass(frozen=True)
class LineBalance:
    """One order line: what it charged and what was already credited."""

    key: Hashable
    quantity: int
    net_amount: Decimal
    tax_amount: Decimal
    tax_class: str
    credited_quantity: int = 0
    credited_net: Decimal = ZERO
    credited_tax: Decimal = ZERO

    @property
    def remaining_quantity(self) -> int:
        return self.quantity - self.credited_quantity

    @property
    def remaining_net(self) -> Decimal:
        return self.net_amount - self.credited_net

    @property
    def remaining_tax(self) -> Decimal:
        return self.tax_amount - self.credited_tax


@dataclass(frozen=True)
class TaxBalance:
    """One tax charged on the order and how much of it was credited.

    `tax_classes` are the tax classes of the goods the tax applies to.
    """

    code: str
    name: str
    rate: Decimal
    amount: Decimal
    shipping_amount: Decimal
    tax_classes: frozenset[str]
    credited: Decimal = ZERO

    @property
    def goods_amount(self) -> Decimal:
        return self.amount - self.shipping_amount

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.credited


@dataclass(frozen=True)
class OrderBalance:
    """An order's lines, shipping and taxes, with what is left to credit."""

    lines: tuple[LineBalance, ...]
    taxes: tuple[TaxBalance, ...]
    shipping_net: Decimal
    credited_shipping_net: Decimal = ZERO
    credited_shipping_tax: Decimal = ZERO

    @property
    def shipping_tax(self) -> Decimal:
        return sum((tax.shipping_amount for tax in self.taxes), ZERO)

    @property
    def remaining_shipping_net(self) -> Decimal:
        return self.shipping_net - self.credited_shipping_net

    @property
    def remaining_shipping_tax(self) -> Decimal:
        return self.shipping_tax - self.credited_shipping_tax

    @property
    def remaining_total(self) -> Decimal:
        lines = sum(
            (line.remaining_net + line.remaining_tax for line in self.lines), ZERO
        )
        return lines + self.remaining_shipping_net + self.remaining_shipping_tax

    def line(self, key: Hashable) -> LineBalance:
        return next(line for line in self.lines if line.key == key)


@dataclass(frozen=True)
class CreditLine:
    key: Hashable
    quantity: int
    net_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class CreditTax:
    code: str
    name: str
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Credit:
    """The amounts of one credit note; lines' tax plus shipping tax equals
    the sum of `taxes`."""

    lines: tuple[CreditLine, ...]
    shipping_net: Decimal
    shipping_tax: Decimal
    taxes: tuple[CreditTax, ...] = field(default=())

    @property
    def subtotal(self) -> Decimal:
        return sum((line.net_amount for line in self.lines), ZERO)

    @property
    def tax_total(self) -> Decimal:
        return sum((tax.amount for tax in self.taxes), ZERO)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.shipping_net + self.tax_total


def split_cents(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` in proportion to `weights`, exactly to the cent.

    Largest remainder: each part gets the whole cents of its exact share,
    and the cents left go one each to the largest fractions, the earlier
    part first on a tie. Weights of zero get nothing; when all weights are
    zero the whole total goes to the first part.
    """
    cents = int(total / CENT)
    units = [max(int(weight / CENT), 0) for weight in weights]
    whole = sum(units)
    if whole == 0:
        return [total if index == 0 else ZERO for index in range(len(weights))]
    parts = [cents * unit // whole for unit in units]
    remainders = [cents * unit % whole for unit in units]
    order = sorted(range(len(units)), key=lambda index: (-remainders[index], index))
    for index in order[: cents - sum(parts)]:
        parts[index] += 1
    return [Decimal(part) * CENT for part in parts]


def credit_remaining(balance: OrderBalance) -> Credit:
    """Credit everything not yet given back, units, shipping and taxes."""
    lines = tuple(
        CreditLine(
            line.key, line.remaining_quantity, line.remaining_net, line.remaining_tax
        )
        for line in balance.lines
        if line.remaining_quantity or line.remaining_net or line.remaining_tax
    )
    taxes = tuple(
        CreditTax(tax.code, tax.name, tax.rate, tax.remaining)
        for tax in balance.taxes
        if tax.remaining
    )
    return Credit(
        lines, balance.remaining_shipping_net, balance.remaining_shipping_tax, taxes
    )


def credit_for_units(
    balance: OrderBalance, units: Mapping[Any, int], *, shipping: bool
) -> Credit:
    """Credit `units` (line key to units) and, if `shipping`, the shipping.

    The caller checks that no line gets more units than it has left.
    """
    if _leaves_nothing(balance, units, shipping=shipping):
        return credit_remaining(balance)

    nets = {
        key: _net_for_units(balance.line(key), count) for key, count in units.items()
    }
    shipping_net = balance.remaining_shipping_net if shipping else ZERO
    line_taxes: dict[Hashable, Decimal] = {key: ZERO for key in nets}
    taxes, shipping_tax = [], ZERO
    for tax in balance.taxes:
        goods_share = _goods_tax_share(balance, tax, nets)
        shipping_share = _shipping_tax_share(balance, tax, shipping_net)
        amount = min(goods_share + shipping_share, tax.remaining)
        goods_share = amount - shipping_share
        taxed = [key for key in nets if balance.line(key).tax_class in tax.tax_classes]
        for key, share in zip(
            taxed, split_cents(goods_share, [nets[key] for key in taxed]), strict=True
        ):
            line_taxes[key] += share
        shipping_tax += shipping_share
        if amount:
            taxes.append(CreditTax(tax.code, tax.name, tax.rate, amount))

    lines = tuple(
        CreditLine(key, units[key], nets[key], line_taxes[key]) for key in nets
    )
    return Credit(lines, shipping_net, shipping_tax, tuple(taxes))


def credit_for_amount(
    balance: OrderBalance, amount: Decimal, *, shipping: bool
) -> Credit:
    """Credit a lump sum, tax included, without returning any units.

    The sum is split across the lines (and the shipping if chosen) in
    proportion to what is left of each, tax included, so no line gets back
    more than it has left whatever its tax class. A sum above what the
    lines have left takes a share of the shipping even when it is not
    chosen. Each part is then split into net and tax at the rates of the
    taxes that apply to it. The caller checks that `amount` is not above
    `balance.remaining_total`.
    """
    if amount == balance.remaining_total:
        return credit_remaining(balance)

    targets: list[Hashable] = [line.key for line in balance.lines]
    weights = [line.remaining_net + line.remaining_tax for line in balance.lines]
    # Lines given more than they have left would give back more tax than
    # the order charged, or nothing at all when they have nothing left.
    if shipping or amount > sum(weights, ZERO):
        targets.append(None)
        weights.append(balance.remaining_shipping_net + balance.remaining_shipping_tax)
    parts = dict(zip(targets, split_cents(amount, weights), strict=True))

    tax_amounts = {tax.code: ZERO for tax in balance.taxes}
    lines = []
    for line in balance.lines:
        if not parts[line.key]:
            continue
        applicable = [tax for tax in balance.taxes if line.tax_class in tax.tax_classes]
        net, tax_amount = _split_gross(
            parts[line.key],
            rate=sum((tax.rate for tax in applicable), ZERO),
            remaining_net=line.remaining_net,
            remaining_tax=line.remaining_tax,
        )
        _add_shares(
            tax_amounts, applicable, tax_amount, [tax.rate for tax in applicable]
        )
        lines.append(CreditLine(line.key, 0, net, tax_amount))

    shipping_net, shipping_tax = _shipping_from_gross(
        balance, parts.get(None, ZERO), tax_amounts
    )
    taxes = tuple(
        CreditTax(tax.code, tax.name, tax.rate, tax_amounts[tax.code])
        for tax in balance.taxes
        if tax_amounts[tax.code]
    )
    return Credit(tuple(lines), shipping_net, shipping_tax, taxes)


def _leaves_nothing(
    balance: OrderBalance, units: Mapping[Any, int], *, shipping: bool
) -> bool:
    lines_done = all(
        units.get(line.key, 0) == line.remaining_quantity for line in balance.lines
    )
    shipping_done = shipping or not balance.remaining_shipping_net
    return lines_done and shipping_done


def _net_for_units(line: LineBalance, units: int) -> Decimal:
    if units == line.remaining_quantity:
        return line.remaining_net
    share = round_money(line.net_amount * units / line.quantity)
    return min(share, line.remaining_net)


def _goods_tax_share(
    balance: OrderBalance, tax: TaxBalance, nets: Mapping[Hashable, Decimal]
) -> Decimal:
    taxed_lines = [line for line in balance.lines if line.tax_class in tax.tax_classes]
    base = sum((line.net_amount for line in taxed_lines), ZERO)
    credited = sum((nets.get(line.key, ZERO) for line in taxed_lines), ZERO)
    if not base:
        return ZERO
    return round_money(tax.goods_amount * credited / base)


def _shipping_tax_share(
    balance: OrderBalance, tax: TaxBalance, shipping_net: Decimal
) -> Decimal:
    if not balance.shipping_net:
        return ZERO
    return round_money(tax.shipping_amount * shipping_net / balance.shipping_net)


def _split_gross(
    gross: Decimal, *, rate: Decimal, remaining_net: Decimal, remaining_tax: Decimal
) -> tuple[Decimal, Decimal]:
    """Split a tax-included amount into net and tax, within what is left."""
    net = round_money(gross / (1 + rate))
    net = min(max(net, gross - remaining_tax), remaining_net)
    return net, gross - net


def _add_shares(
    totals: dict[str, Decimal],
    taxes: Sequence[TaxBalance],
    amount: Decimal,
    weights: Sequence[Decimal],
) -> None:
    if not taxes:
        return
    for tax, share in zip(taxes, split_cents(amount, weights), strict=True):
        totals[tax.code] += share


def _shipping_from_gross(
    balance: OrderBalance, gross: Decimal, tax_amounts: dict[str, Decimal]
) -> tuple[Decimal, Decimal]:
    if not gross:
        return ZERO, ZERO
    net_amount = balance.remaining_shipping_net
    rate = balance.remaining_shipping_tax / net_amount if net_amount else ZERO
    net, tax = _split_gross(
        gross,
        rate=rate,
        remaining_net=net_amount,
        remaining_tax=balance.remaining_shipping_tax,
    )
    _add_shares(
        tax_amounts,
        balance.taxes,
        tax,
        [tax_balance.shipping_amount for tax_balance in balance.taxes],
    )
    return net, tax
