"""Paid orders to refund: real payments at localstripe, taxes as checkout."""

from collections.abc import Sequence
from decimal import Decimal

from inventory.services import set_opening_stock
from orders import payments, stripe_gateway
from orders.checkout import _line_tax_shares
from orders.models import Order
from orders.services import record_payment
from orders.taxes import TaxableItem, calculate_taxes
from shop.money import ZERO
from tests.factories.orders import OrderFactory, OrderLineFactory, OrderTaxFactory
from tests.factories.shop import VariantFactory
from tests.fixtures.localstripe import CARD_SUCCEEDS


def stocked_variant(*, price: str, unit_cost: str, quantity: int = 10, **fields):
    variant = VariantFactory(
        price=Decimal(price), unit_cost=Decimal(unit_cost), **fields
    )
    set_opening_stock(variant=variant, quantity=quantity)
    return variant


def order_for(
    *,
    province: str,
    lines,
    shipping: str = "12.00",
    registrations: Sequence[str] = (),
    shipping_tax_on_lines: bool = False,
) -> Order:
    """Create an order awaiting payment with taxes as checkout sets them.

    `lines` is a list of (variant, quantity). `registrations` lists the
    provinces where the shop collects PST or QST. With
    `shipping_tax_on_lines`, each line's tax includes its share of the
    shipping tax, as checkout stores it; otherwise only the tax on goods.
    """
    shipping_amount = Decimal(shipping)
    order = OrderFactory(ship_province=province, shipping_amount=shipping_amount)
    order_lines = [
        OrderLineFactory(order=order, variant=variant, quantity=quantity)
        for variant, quantity in lines
    ]
    breakdown = calculate_taxes(
        province=province,
        items=[
            TaxableItem(index, line.subtotal_amount, line.tax_class)
            for index, line in enumerate(order_lines)
        ],
        shipping_amount=shipping_amount,
        registrations=registrations,
    )
    if shipping_tax_on_lines:
        line_taxes = _line_tax_shares(breakdown, count=len(order_lines))
    else:
        line_taxes = [breakdown.item_taxes[index] for index in range(len(order_lines))]
    for line, tax in zip(order_lines, line_taxes, strict=True):
        line.tax_amount = tax
        line.save(update_fields=["tax_amount"])
    for component in breakdown.components:
        OrderTaxFactory(
            order=order,
            code=component.code,
            name=component.name,
            rate=component.rate,
            taxable_amount=component.taxable_amount,
            amount=component.amount,
            shipping_amount=component.shipping_amount,
        )
    order.subtotal_amount = sum((line.subtotal_amount for line in order_lines), ZERO)
    order.tax_amount = breakdown.total
    order.total_amount = order.subtotal_amount + shipping_amount + breakdown.total
    order.save()
    return order


def pay(localstripe, order: Order) -> Order:
    """Pay the order by card at localstripe and record it as checkout does."""
    payment = payments.prepare_payment(order)
    intent = stripe_gateway.confirm_with_card(
        payment.stripe_payment_intent_id, localstripe.card_id(CARD_SUCCEEDS)
    )
    return record_payment(order_id=order.pk, payment_intent=intent)


def paid_pe_order(localstripe) -> Order:
    """One $52.00 item shipped to PEI for $12.00: HST 15% is $9.60.

    The total is $73.60. The item cost the shop $20.00.
    """
    variant = stocked_variant(price="52.00", unit_cost="20.00")
    return pay(localstripe, order_for(province="PE", lines=[(variant, 1)]))
