"""Sales at the shop counter: priced, taxed and taken from stock at once.

A counter sale takes the same path as a paid online order where it can:
an Order numbered from the same sequence, line snapshots, OrderTax rows,
a Payment, an invoice (the receipt) and a sale entry in the ledger. It
differs in four ways: tax follows the store's province
(settings.SHOP_STORE_PROVINCE), nothing is shipped, the units leave stock
at once with IN_STORE_SALE movements, and a cash total is rounded to the
nickel.
"""

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounting import services as accounting_services
from accounting.posting.sales import post_in_store_sale
from inventory import services as inventory_services
from inventory.models import Stock, StockMovement
from shop import webhook_events
from shop.models import Customer, Variant
from shop.money import ZERO, round_money
from shop.sequences import next_number

from .checkout import ORDER_NUMBER_START
from .counter_customers import CounterSaleError, walk_in_customer
from .models import Order, OrderLine, OrderTax, Payment
from .taxes import TaxableItem, TaxBreakdown, calculate_taxes

logger = logging.getLogger(__name__)

NICKEL = Decimal("0.05")
COUNTER_METHODS = (
    Payment.Method.CASH,
    Payment.Method.DEBIT,
    Payment.Method.CARD_TERMINAL,
)
IN_STORE_SHIPPING_METHOD = "in_store"
IN_STORE_SHIPPING_NAME = "Taken in store"
SALE_REASON = "In-store sale"


class CounterLine(NamedTuple):
    """One item rung up: a variant and how many units."""

    variant_id: int
    quantity: int


@dataclass(frozen=True)
class CounterQuoteLine:
    variant: Variant
    quantity: int
    subtotal_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class CounterQuote:
    """A counter sale priced and taxed for the store's province.

    `cash_total_amount` is the total rounded to the nickel, what a cash
    customer pays.
    """

    lines: tuple[CounterQuoteLine, ...]
    taxes: TaxBreakdown
    subtotal_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    cash_total_amount: Decimal


def round_cash_total(amount: Decimal) -> Decimal:
    """Round a cash total to the nickel, by the CRA's rounding rule.

    Totals ending in 1, 2, 6 or 7 cents round down and totals ending in 3,
    4, 8 or 9 round up; whole cents are never halfway between nickels.
    """
    nickels = (amount / NICKEL).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return round_money(nickels * NICKEL)


def find_variant(code: str) -> Variant | None:
    """Find the active variant a scanned barcode or a typed SKU names."""
    code = code.strip()
    if not code:
        return None
    return (
        Variant.objects.select_related("product")
        .filter(Q(barcode=code) | Q(sku__iexact=code))
        .filter(is_active=True, product__is_active=True)
        .order_by("pk")
        .first()
    )


def quote_counter_sale(*, lines: Sequence[CounterLine]) -> CounterQuote:
    """Price and tax counter lines at today's prices in the store's province.

    A variant listed twice counts once with the quantities added. Raises
    CounterSaleError for an empty sale, a quantity below 1 or a variant
    no longer on sale.
    """
    merged = _merge_lines(lines)
    variants = _variants_on_sale(merged)
    subtotals = {pk: round_money(variants[pk].price * merged[pk]) for pk in merged}
    taxes = calculate_taxes(
        province=settings.SHOP_STORE_PROVINCE,
        items=[
            TaxableItem(
                key=pk, amount=subtotals[pk], tax_class=variants[pk].product.tax_class
            )
            for pk in merged
        ],
        shipping_amount=ZERO,
        registrations=settings.SHOP_TAX_REGISTRATIONS,
    )
    subtotal_amount = sum(subtotals.values(), ZERO)
    total_amount = subtotal_amount + taxes.total
    return CounterQuote(
        lines=tuple(
            CounterQuoteLine(
                variant=variants[pk],
                quantity=merged[pk],
                subtotal_amount=subtotals[pk],
                tax_amount=taxes.item_taxes[pk],
            )
            for pk in merged
        ),
        taxes=taxes,
        subtotal_amount=subtotal_amount,
        tax_amount=taxes.total,
        total_amount=total_amount,
        cash_total_amount=round_cash_total(total_amount),
    )


def record_counter_sale(
    *,
    lines: Sequence[CounterLine],
    customer: Customer | None,
    payment_method: str,
    amount_tendered: Decimal | None,
    client_key: str,
    user: AbstractBaseUser | None,
) -> Order:
    """Record a paid counter sale: order, stock, payment, receipt and ledger.

    Runs in one transaction. Locks the lines' Stock rows in variant-id order
    and checks each line against what is available now (on hand less
    allocated). Then it takes the units out with IN_STORE_SALE movements,
    issues the invoice and posts the sale. The invoice is emailed on commit
    when the customer has an email. `amount_tendered` is the cash handed over,
    required for cash. Idempotent by `client_key`: a second call with the same
    key records nothing and returns the first sale. Raises CounterSaleError,
    with nothing written, for a sale that cannot be made.
    """
    _check_request(payment_method, client_key)
    existing = Order.objects.filter(client_key=client_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            order = _record_sale(
                lines=lines,
                customer=customer,
                payment_method=payment_method,
                amount_tendered=amount_tendered,
                client_key=client_key,
                user=user,
            )
    except IntegrityError:
        # The same sale was submitted twice at once and the other request
        # committed first; the unique client_key rejected this one.
        existing = Order.objects.filter(client_key=client_key).first()
        if existing is None:
            raise
        return existing

    logger.info(
        "Counter sale %s recorded",
        order.number,
        extra={"order_id": order.pk, "payment_method": payment_method},
    )
    return order


def _check_request(payment_method: str, client_key: str) -> None:
    if payment_method not in COUNTER_METHODS:
        raise CounterSaleError(
            f"Payment method {payment_method!r} is not taken at the counter; "
            "choose cash, debit or card terminal."
        )
    if not client_key.strip():
        raise CounterSaleError("The sale has no client key; reload the counter screen.")


def _record_sale(
    *,
    lines: Sequence[CounterLine],
    customer: Customer | None,
    payment_method: str,
    amount_tendered: Decimal | None,
    client_key: str,
    user: AbstractBaseUser | None,
) -> Order:
    quote = quote_counter_sale(lines=lines)
    stocks = _lock_stock(quote)
    # A double submit of this sale waits on the locks above until the first
    # request commits. Checking availability first would then reject the
    # retry of a sale of the last units that was in fact recorded.
    earlier = Order.objects.filter(client_key=client_key).first()
    if earlier is not None:
        return earlier
    _check_available(stocks, quote)
    amount_paid = _amount_paid(quote, payment_method, amount_tendered)

    order = _write_order(
        quote, customer=customer or walk_in_customer(), client_key=client_key
    )
    order.cash_rounding_amount = amount_paid - quote.total_amount
    order.save(update_fields=["cash_rounding_amount"])
    _take_stock(order, quote, user)
    Payment.objects.create(
        order=order,
        method=payment_method,
        amount=amount_paid,
        amount_tendered=amount_tendered
        if payment_method == Payment.Method.CASH
        else None,
        status=Payment.Status.SUCCEEDED,
        succeeded_at=order.paid_at,
    )
    accounting_services.issue_invoice(order=order)
    post_in_store_sale(order=order)
    webhook_events.order_paid(order)
    return order


def _merge_lines(lines: Sequence[CounterLine]) -> dict[int, int]:
    if not lines:
        raise CounterSaleError("The sale has no items; scan or enter one first.")
    merged: Counter[int] = Counter()
    for variant_id, quantity in lines:
        if quantity < 1:
            raise CounterSaleError(
                f"Quantity {quantity} for item {variant_id} is invalid; "
                "enter 1 or more."
            )
        merged[variant_id] += quantity
    return dict(sorted(merged.items()))


def _variants_on_sale(merged: dict[int, int]) -> dict[int, Variant]:
    variants = Variant.objects.select_related("product").in_bulk(list(merged))
    for pk in merged:
        variant = variants.get(pk)
        if variant is None or not (variant.is_active and variant.product.is_active):
            name = f"{variant} ({variant.sku})" if variant else f"Item {pk}"
            raise CounterSaleError(
                f"{name} is no longer on sale; remove it from the sale."
            )
    return variants


def _lock_stock(quote: CounterQuote) -> dict[int, Stock]:
    variant_ids = [line.variant.pk for line in quote.lines]
    stocks = (
        Stock.objects.select_for_update()
        .filter(variant_id__in=variant_ids)
        .order_by("variant_id")
    )
    return {stock.variant_id: stock for stock in stocks}


def _check_available(stocks: dict[int, Stock], quote: CounterQuote) -> None:
    # The screen's counts may be minutes old: an online order paid since
    # then may hold the units, so only the locked rows decide.
    for line in quote.lines:
        stock = stocks.get(line.variant.pk)
        available = stock.quantity_available if stock else 0
        if line.quantity > available:
            raise CounterSaleError(
                f"{line.variant} ({line.variant.sku}): {line.quantity} rung up but "
                f"only {available} available; lower the quantity or remove it."
            )


def _amount_paid(
    quote: CounterQuote, payment_method: str, amount_tendered: Decimal | None
) -> Decimal:
    if payment_method != Payment.Method.CASH:
        return quote.total_amount
    if amount_tendered is None or amount_tendered < quote.cash_total_amount:
        raise CounterSaleError(
            f"Cash tendered {amount_tendered or ZERO} is less than the cash total "
            f"{quote.cash_total_amount}; enter the amount handed over."
        )
    return quote.cash_total_amount


def _write_order(quote: CounterQuote, *, customer: Customer, client_key: str) -> Order:
    order = Order.objects.create(
        number=next_number("order", start=ORDER_NUMBER_START),
        customer=customer,
        email=customer.email,
        status=Order.Status.COMPLETED,
        channel=Order.Channel.IN_STORE,
        client_key=client_key,
        ship_name=customer.full_name,
        ship_province=settings.SHOP_STORE_PROVINCE,
        shipping_method=IN_STORE_SHIPPING_METHOD,
        shipping_method_name=IN_STORE_SHIPPING_NAME,
        subtotal_amount=quote.subtotal_amount,
        shipping_amount=ZERO,
        tax_amount=quote.tax_amount,
        total_amount=quote.total_amount,
        paid_at=timezone.now(),
    )
    OrderLine.objects.bulk_create(_order_line(order, line) for line in quote.lines)
    OrderTax.objects.bulk_create(
        OrderTax(
            order=order,
            code=component.code,
            name=component.name,
            rate=component.rate,
            taxable_amount=component.taxable_amount,
            amount=component.amount,
            shipping_amount=component.shipping_amount,
        )
        for component in quote.taxes.components
    )
    return order


def _order_line(order: Order, line: CounterQuoteLine) -> OrderLine:
    variant = line.variant
    return OrderLine(
        order=order,
        variant=variant,
        sku=variant.sku,
        name=variant.product.name,
        options=variant.option_label,
        tax_class=variant.product.tax_class,
        quantity=line.quantity,
        unit_price=variant.price,
        subtotal_amount=line.subtotal_amount,
        tax_amount=line.tax_amount,
        # Handed over at the counter, so nothing is left to allocate or ship.
        quantity_shipped=line.quantity,
    )


def _take_stock(order: Order, quote: CounterQuote, user) -> None:
    for line in quote.lines:
        inventory_services.adjust_stock(
            variant=line.variant,
            quantity_change=-line.quantity,
            reason=SALE_REASON,
            user=user,
            reference=str(order.number),
            kind=StockMovement.Kind.IN_STORE_SALE,
        )
