"""Canadian sales tax on an order delivered to a province or territory.

Pure rules on plain values: callers pass the delivery province, the lines'
pre-tax amounts with their tax class, the shipping charge and the provinces
where the shop is registered for the provincial tax
(settings.SHOP_TAX_REGISTRATIONS). Rates come from
orders/data/canada-sales-tax.csv; orders/data/README.md gives the sources.

- GST, or HST in the harmonized provinces, applies at the rate of the
  province where the goods are delivered.
- PST (BC, SK), RST (MB) or QST (QC) applies only when the shop is registered
  in that province, on the price before GST (no tax on tax).
- Shipping charged by the seller is part of the supply of the goods, so it
  is taxed like the goods it carries (CRA GST/HST Memorandum 28-2). In a
  mixed cart the charge is split between tax classes by value.
- Each component is computed once on the order's base for that component and
  rounded to the cent, half a cent up (Excise Tax Act s. 165.2(2)).
"""

import csv
import functools
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from shop.money import CENT, ZERO, round_money

RATES_CSV = Path(__file__).resolve().parent / "data" / "canada-sales-tax.csv"

# The federal part of HST, charged alone as GST on printed books in the HST
# provinces.
FEDERAL_GST_RATE = Decimal("0.05")

# Values of shop.models.TaxClass, repeated so this module imports no models.
STANDARD = "standard"
PRINTED_BOOK = "printed_book"
ZERO_RATED = "zero_rated"
TAX_CLASSES = (STANDARD, PRINTED_BOOK, ZERO_RATED)

# Printed books pay GST only, in every province:
# - HST provinces: ON, NS, NB, NL and PE give a point-of-sale rebate of the
#   provincial part of HST on qualifying books (CRA GST/HST Info Sheet
#   GI-065, Point-of-Sale Rebate on Books).
# - BC PST: books are exempt (PST Bulletin 205, Books, Magazines, Newspapers
#   and Other Publications).
# - MB RST: books are exempt (RST Bulletin No. 015, Printing, Desktop
#   Publishing and Related Services).
# - SK PST: books are exempt (Information Bulletin PST-9, Books and
#   Magazines).
# - QC QST: the sale of a printed book with an ISBN is zero-rated
#   (Revenu Québec, Printed Books, and bulletin TVQ. 198.1-1).
# Each rule has its own definition of a book (for QST, an ISBN), so staff
# must give the printed_book class only to books that meet all of them.
PROVINCIAL_TAX_CLASSES = frozenset({STANDARD})


@dataclass(frozen=True)
class TaxableItem:
    """One order line: its pre-tax subtotal and its tax class."""

    key: Hashable
    amount: Decimal
    tax_class: str


@dataclass(frozen=True)
class TaxComponent:
    """One tax printed on the invoice, such as "HST" or "QST".

    shipping_amount is the part of amount charged on shipping.
    """

    code: str
    name: str
    rate: Decimal
    taxable_amount: Decimal
    amount: Decimal
    shipping_amount: Decimal


@dataclass(frozen=True)
class TaxBreakdown:
    """All taxes on an order, and each line's and the shipping's share."""

    components: tuple[TaxComponent, ...]
    item_taxes: dict[Hashable, Decimal]
    shipping_tax: Decimal
    total: Decimal


@dataclass(frozen=True)
class ProvinceRates:
    """One row of the rates table, with rates as fractions (0.13 for 13 %)."""

    code: str
    name: str
    gst_rate: Decimal
    hst_rate: Decimal
    pst_rate: Decimal
    qst_rate: Decimal
    pst_name: str


@dataclass(frozen=True)
class _Rule:
    code: str
    rate: Decimal
    tax_classes: frozenset[str]


@functools.cache
def load_province_rates() -> dict[str, ProvinceRates]:
    """Read the rates table once per process, keyed by province code."""
    with RATES_CSV.open(newline="", encoding="utf-8") as rates_file:
        rows = list(csv.DictReader(rates_file))
    return {
        row["province_code"]: ProvinceRates(
            code=row["province_code"],
            name=row["province_name"],
            gst_rate=Decimal(row["gst_rate"]),
            hst_rate=Decimal(row["hst_rate"]),
            pst_rate=Decimal(row["pst_rate"]),
            qst_rate=Decimal(row["qst_rate"]),
            pst_name=row["pst_name"],
        )
        for row in rows
    }


def province_rates(province: str) -> ProvinceRates:
    """Return the rates for a province or territory code such as "ON".

    Raises ValueError naming the code when it is not one of the 13.
    """
    rates = load_province_rates()
    code = province.strip().upper()
    if code not in rates:
        raise ValueError(
            f"Unknown province or territory code {province!r}: "
            f"use one of {', '.join(sorted(rates))}."
        )
    return rates[code]


def calculate_taxes(
    *,
    province: str,
    items: Sequence[TaxableItem],
    shipping_amount: Decimal,
    registrations: Iterable[str],
) -> TaxBreakdown:
    """Calculate the sales taxes on an order delivered to `province`.

    `registrations` lists the provinces where the shop collects PST, RST or
    QST. A component whose taxable base is zero is left out. Line taxes plus
    the shipping tax add up exactly to the total.

    Raises ValueError naming the bad value for an unknown province code, an
    unknown tax class, a duplicate key, or an amount that is negative or not
    in whole cents.
    """
    rates = province_rates(province)
    registered = _normalise_registrations(registrations)
    _check_items(items, shipping_amount)

    shipping_by_class = _split_shipping(items, shipping_amount)
    components = []
    item_taxes = {item.key: ZERO for item in items}
    for rule in _rules_for(rates, registered):
        taxed = [item for item in items if item.tax_class in rule.tax_classes]
        taxed_shipping = sum(
            (shipping_by_class.get(tax_class, ZERO) for tax_class in rule.tax_classes),
            ZERO,
        )
        base = sum((item.amount for item in taxed), ZERO) + taxed_shipping
        if not base:
            continue
        amount = round_money(base * rule.rate)
        *line_shares, shipping_share = _split_cents(
            amount, [item.amount for item in taxed] + [taxed_shipping]
        )
        for item, share in zip(taxed, line_shares, strict=True):
            item_taxes[item.key] += share
        components.append(
            TaxComponent(rule.code, rule.code, rule.rate, base, amount, shipping_share)
        )

    return TaxBreakdown(
        components=tuple(components),
        item_taxes=item_taxes,
        shipping_tax=sum((c.shipping_amount for c in components), ZERO),
        total=sum((c.amount for c in components), ZERO),
    )


def _rules_for(rates: ProvinceRates, registered: frozenset[str]) -> list[_Rule]:
    if rates.hst_rate:
        rules = [
            _Rule("GST", FEDERAL_GST_RATE, frozenset({PRINTED_BOOK})),
            _Rule("HST", rates.hst_rate, frozenset({STANDARD})),
        ]
    else:
        rules = [_Rule("GST", rates.gst_rate, frozenset({STANDARD, PRINTED_BOOK}))]

    if rates.code in registered:
        provincial_rate = rates.pst_rate or rates.qst_rate
        if provincial_rate:
            rules.append(_Rule(rates.pst_name, provincial_rate, PROVINCIAL_TAX_CLASSES))
    return rules


def _normalise_registrations(registrations: Iterable[str]) -> frozenset[str]:
    known = load_province_rates()
    codes = frozenset(code.strip().upper() for code in registrations)
    unknown = sorted(codes - known.keys())
    if unknown:
        raise ValueError(
            f"Unknown province code {unknown[0]!r} in the shop's tax "
            f"registrations: fix SHOP_TAX_REGISTRATIONS to use codes such as "
            f"BC, MB, QC, SK."
        )
    return codes


def _check_items(items: Sequence[TaxableItem], shipping_amount: Decimal) -> None:
    _check_amount(shipping_amount, "shipping amount")
    seen: set[Hashable] = set()
    for item in items:
        if item.key in seen:
            raise ValueError(
                f"Duplicate item key {item.key!r}: give each line its own key."
            )
        seen.add(item.key)
        if item.tax_class not in TAX_CLASSES:
            raise ValueError(
                f"Unknown tax class {item.tax_class!r} on item {item.key!r}: "
                f"use one of {', '.join(TAX_CLASSES)}."
            )
        _check_amount(item.amount, f"amount for item {item.key!r}")


def _check_amount(amount: Decimal, label: str) -> None:
    if not isinstance(amount, Decimal):
        raise TypeError(f"The {label} must be a Decimal, not {amount!r}.")
    if amount < 0 or amount != round_money(amount):
        raise ValueError(
            f"Invalid {label}: {amount}. Use zero or more, in whole cents."
        )


def _split_shipping(
    items: Sequence[TaxableItem], shipping_amount: Decimal
) -> dict[str, Decimal]:
    """Split the shipping charge between tax classes by the goods' value.

    Shipping with no goods value behind it (an empty cart, free items) is a
    delivery service of its own and is taxed at the standard rate.
    """
    value_by_class: dict[str, Decimal] = {}
    for item in items:
        value_by_class[item.tax_class] = (
            value_by_class.get(item.tax_class, ZERO) + item.amount
        )
    if not sum(value_by_class.values(), ZERO):
        return {STANDARD: shipping_amount}

    shares = _split_cents(shipping_amount, list(value_by_class.values()))
    return dict(zip(value_by_class, shares, strict=True))


def _split_cents(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` in proportion to `weights`, to the cent, exactly.

    Largest-remainder method: each part gets the whole cents of its exact
    share, then the cents left over go one each to the largest fractions,
    earlier parts first on a tie. The weights must add up to more than zero.
    """
    cents = int(total / CENT)
    units = [int(weight / CENT) for weight in weights]
    whole = sum(units)
    parts = [cents * unit // whole for unit in units]
    fractions = [cents * unit % whole for unit in units]

    left_over = cents - sum(parts)
    by_fraction = sorted(range(len(units)), key=lambda i: (-fractions[i], i))
    for index in by_fraction[:left_over]:
        parts[index] += 1
    return [Decimal(part) * CENT for part in parts]
