from decimal import Decimal

import factory
from django.utils import timezone

from orders.models import Order, OrderLine, OrderTax
from shop.money import round_money

from .shop import CustomerFactory, VariantFactory


class OrderFactory(factory.django.DjangoModelFactory):
    """An order awaiting payment, shipped to Halifax; amounts follow its lines.

    Call `OrderFactory(paid=True)` for one already paid.
    """

    class Meta:
        model = Order

    number = factory.Sequence(lambda n: 100001 + n)
    customer = factory.SubFactory(CustomerFactory)
    email = factory.SelfAttribute("customer.email")
    ship_name = "Avery Tremblay"
    ship_line1 = "5670 Spring Garden Road"
    ship_city = "Halifax"
    ship_province = "NS"
    ship_postal_code = "B3J 1H6"
    shipping_method = "standard"
    shipping_method_name = "Standard"
    subtotal_amount = Decimal("0.00")
    shipping_amount = Decimal("12.00")
    tax_amount = Decimal("0.00")
    total_amount = Decimal("0.00")

    class Params:
        paid = factory.Trait(
            status=Order.Status.PAID,
            paid_at=factory.LazyFunction(timezone.now),
        )


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    variant = factory.SubFactory(VariantFactory)
    sku = factory.SelfAttribute("variant.sku")
    name = factory.SelfAttribute("variant.product.name")
    tax_class = factory.SelfAttribute("variant.product.tax_class")
    quantity = 1
    unit_price = factory.SelfAttribute("variant.price")
    subtotal_amount = factory.LazyAttribute(
        lambda line: round_money(line.unit_price * line.quantity)
    )
    tax_amount = Decimal("0.00")


class OrderTaxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderTax

    order = factory.SubFactory(OrderFactory)
    code = "HST"
    name = "HST"
    rate = Decimal("0.14")
    taxable_amount = Decimal("0.00")
    amount = Decimal("0.00")
    shipping_amount = Decimal("0.00")


def order_with_lines(*, lines, shipping_amount=Decimal("12.00"), **order_fields):
    """Create an order shipped to Nova Scotia with HST at 14% on everything.

    `lines` is a list of (variant, quantity). Amounts are set from the lines
    so the order adds up as checkout would leave it.
    """
    order = OrderFactory(shipping_amount=shipping_amount, **order_fields)
    subtotal = Decimal("0.00")
    for variant, quantity in lines:
        line = OrderLineFactory(order=order, variant=variant, quantity=quantity)
        subtotal += line.subtotal_amount
    taxable = subtotal + shipping_amount
    tax = round_money(taxable * Decimal("0.14"))
    OrderTaxFactory(
        order=order,
        taxable_amount=taxable,
        amount=tax,
        shipping_amount=round_money(shipping_amount * Decimal("0.14")),
    )
    order.subtotal_amount = subtotal
    order.tax_amount = tax
    order.total_amount = subtotal + shipping_amount + tax
    order.save()
    return order
