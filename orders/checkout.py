"""Checkout: price a cart for a delivery address and turn it into an order.

`quote_checkout` prices cart lines, shipping and sales taxes for a province.
`place_order` writes the order that then waits for payment. Stock is not
taken here: it is allocated when the payment succeeds, so place_order only
checks that each line can be sold now: within what is available, or beyond
it for stock that takes backorders. With backordered units the customer's
shipping preference is required (see orders.checkout_backorders).
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from inventory.selectors import Availability, availability_for
from shipping.rates import ShippingOption
from shop.cart import cart_lines
from shop.consent import record_marketing_consent
from shop.customers import find_or_create_customer, normalize_email, split_full_name
from shop.models import Cart, CartLine, ConsentSource, Customer, Variant
from shop.money import ZERO, format_rate, round_money
from shop.sequences import next_number

from .checkout_backorders import shipping_preference_for
from .models import Order, OrderLine, OrderTax
from .shipping_quotes import quote_shipping
from .taxes import TaxableItem, TaxBreakdown, TaxComponent, calculate_taxes

logger = logging.getLogger(__name__)

ORDER_NUMBER_START = 100001

ADDRESS_FIELDS = (
    "ship_name",
    "ship_company",
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_province",
    "ship_postal_code",
    "ship_phone",
)


@dataclass(frozen=True)
class CheckoutDetails:
    """Checkout input: email, delivery address, shipping method and preference.

    `shipping_preference` is an Order.ShippingPreference value, required
    only when some units would be backordered. `marketing_consent` is True
    when the customer ticked the box accepting marketing email.
    """

    email: str
    ship_name: str
    ship_line1: str
    ship_city: str
    ship_province: str
    ship_postal_code: str
    ship_company: str = ""
    ship_line2: str = ""
    ship_phone: str = ""
    shipping_method: str = ""
    shipping_preference: str = ""
    marketing_consent: bool = False


@dataclass(frozen=True)
class QuoteLine:
    """A cart line priced for checkout, with its share of all tax."""

    variant: Variant
    sku: str
    name: str
    options: str
    tax_class: str
    quantity: int
    unit_price: Decimal
    subtotal_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class TaxLine:
    """One sales tax as printed at checkout, such as "QST 9.975%"."""

    label: str
    amount: Decimal


@dataclass(frozen=True)
class CheckoutQuote:
    """Amounts for a cart shipped to one province.

    Until a shipping option is chosen, shipping counts as zero in the taxes
    and the total.
    """

    province: str
    lines: tuple[QuoteLine, ...]
    shipping_options: tuple[ShippingOption, ...]
    shipping_option: ShippingOption | None
    taxes: TaxBreakdown
    subtotal_amount: Decimal
    shipping_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal

    @property
    def tax_lines(self) -> list[TaxLine]:
        return [
            TaxLine(label=tax_label(component), amount=component.amount)
            for component in self.taxes.components
        ]


class InsufficientStock(Exception):
    """Error raised when a cart line requests more units than can be sold."""

    def __init__(self, message: str, *, variant_id: int, available: int):
        super().__init__(message)
        self.variant_id = variant_id
        self.available = available


def tax_label(component: TaxComponent) -> str:
    """Return the name and rate of a tax as printed, like "HST 14%"."""
    return f"{component.name} {format_rate(component.rate)}"


def quote_checkout(
    *,
    lines: Sequence[CartLine],
    province: str,
    shipping_method: str | None = None,
    postal_code: str = "",
    shipping_options: Sequence[ShippingOption] | None = None,
) -> CheckoutQuote:
    """Price cart lines, shipping and sales taxes for delivery to a province.

    `lines` come from shop.cart.cart_lines, with variant, product and
    category loaded. Shipping is quoted by orders.shipping_quotes, from
    Canada Post for `postal_code` when it is set up, unless
    `shipping_options` were quoted already. A `shipping_method` that is not
    among the options leaves `shipping_option` as None. Raises ValueError
    for an unknown province and ShippingQuoteError (a ValueError) when
    Canada Post rejects the address.
    """
    if shipping_options is None:
        shipping_options = quote_shipping(
            lines=lines, province=province, postal_code=postal_code
        )
    options = tuple(shipping_options)
    chosen = next((o for o in options if o.code == shipping_method), None)
    shipping_amount = chosen.amount if chosen else ZERO

    subtotals = [round_money(line.variant.price * line.quantity) for line in lines]
    taxes = calculate_taxes(
        province=province,
        items=[
            TaxableItem(
                key=index, amount=subtotal, tax_class=line.variant.product.tax_class
            )
            for index, (line, subtotal) in enumerate(zip(lines, subtotals, strict=True))
        ],
        shipping_amount=shipping_amount,
        registrations=settings.SHOP_TAX_REGISTRATIONS,
    )
    line_taxes = _line_tax_shares(taxes, count=len(lines))

    subtotal_amount = sum(subtotals, ZERO)
    return CheckoutQuote(
        province=province,
        lines=tuple(
            _quote_line(line, subtotal, tax)
            for line, subtotal, tax in zip(lines, subtotals, line_taxes, strict=True)
        ),
        shipping_options=options,
        shipping_option=chosen,
        taxes=taxes,
        subtotal_amount=subtotal_amount,
        shipping_amount=shipping_amount,
        tax_amount=taxes.total,
        total_amount=subtotal_amount + shipping_amount + taxes.total,
    )


def _quote_line(line: CartLine, subtotal: Decimal, tax: Decimal) -> QuoteLine:
    variant = line.variant
    return QuoteLine(
        variant=variant,
        sku=variant.sku,
        name=variant.product.name,
        options=variant.option_label,
        tax_class=variant.product.tax_class,
        quantity=line.quantity,
        unit_price=variant.price,
        subtotal_amount=subtotal,
        tax_amount=tax,
    )


def _line_tax_shares(taxes: TaxBreakdown, *, count: int) -> list[Decimal]:
    """Give each line its own tax plus a share of the tax on shipping.

    Shipping is taxed like the goods it carries, so its tax is spread over
    the lines in proportion to their own tax, to the cent, and the shares add
    up to the order's total tax.
    """
    own = [taxes.item_taxes.get(index, ZERO) for index in range(count)]
    remainder = taxes.total - sum(own, ZERO)
    if not count or not remainder:
        return own
    weights = own if any(own) else [Decimal(1)] * count
    return [
        tax + share
        for tax, share in zip(own, _split_cents(remainder, weights), strict=True)
    ]


def _split_cents(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `amount` in proportion to `weights`; the parts add up exactly.

    Largest remainder method: every part is rounded down to the cent, then
    the cents left over go to the parts that lost the most in rounding. A
    negative amount is split as its absolute value and each part negated.
    """
    cents = int((amount * 100).to_integral_value())
    sign, cents = (-1 if cents < 0 else 1), abs(cents)
    total_weight = sum(weights, Decimal(0))
    exact = [cents * weight / total_weight for weight in weights]
    parts = [int(value) for value in exact]
    by_loss = sorted(range(len(exact)), key=lambda i: exact[i] - parts[i], reverse=True)
    for index in by_loss[: cents - sum(parts)]:
        parts[index] += 1
    return [Decimal(sign * part) / 100 for part in parts]


def place_order(
    *,
    cart: Cart,
    details: CheckoutDetails,
    user: AbstractBaseUser | AnonymousUser | None = None,
    order: Order | None = None,
) -> Order:
    """Write the cart as an order awaiting payment, or rewrite an unpaid one.

    Runs in one transaction and quotes prices, shipping and taxes again from
    the cart as it is now. Given an `order` still awaiting payment, rewrites
    it in place, keeping its number and access token, so a customer who
    comes back to checkout before paying keeps one order. An order paid or
    cancelled meanwhile is left alone and a new order is written.

    Raises InsufficientStock, with nothing written, for a line asking more
    units than are available of stock that takes no backorders. Raises
    ShippingPreferenceRequired (orders.checkout_backorders) when units
    would be backordered and `details.shipping_preference` is not a valid
    choice. Raises ValueError for an empty cart or a shipping method not
    offered for the address. The cart is left as it is: it is emptied when
    the payment succeeds.
    """
    lines = cart_lines(cart)
    if not lines:
        raise ValueError(f"Cart {cart.pk} is empty; add a product before checkout.")

    # Quoted before the transaction: Canada Post can take seconds to respond.
    options = quote_shipping(
        lines=lines,
        province=details.ship_province,
        postal_code=details.ship_postal_code,
    )
    with transaction.atomic():
        availability = check_stock(lines)
        preference = shipping_preference_for(
            lines, availability=availability, chosen=details.shipping_preference
        )
        quote = quote_checkout(
            lines=lines,
            province=details.ship_province,
            shipping_method=details.shipping_method,
            shipping_options=options,
        )
        if quote.shipping_option is None:
            raise ValueError(
                f"Shipping method {details.shipping_method!r} is not offered for "
                f"{details.ship_province}; choose one of the methods listed."
            )
        customer = _checkout_customer(details, user)
        if details.marketing_consent:
            # An unticked box withdraws nothing: it is the default.
            record_marketing_consent(
                customer=customer, consent=True, source=ConsentSource.CHECKOUT
            )
        order, rewritten = _order_to_write(order)
        order.shipping_preference = preference
        _write_order(order, customer=customer, details=details, quote=quote)

    logger.info(
        "Order %s placed, awaiting payment",
        order.number,
        extra={"order_id": order.pk, "cart_id": cart.pk, "rewritten": rewritten},
    )
    return order


def check_stock(lines: Sequence[CartLine]) -> dict[int, Availability]:
    """Raise InsufficientStock for the first line that cannot be sold.

    A line may ask more than is available only when its stock takes
    backorders. A variant or product taken off sale counts as sold out.
    Returns the lines' availability by variant id.
    """
    availability = availability_for(line.variant_id for line in lines)
    for line in lines:
        variant = line.variant
        on_sale = variant.is_active and variant.product.is_active
        stock = availability[variant.pk]
        if on_sale and not stock.shortfall(line.quantity):
            continue
        available = stock.quantity if on_sale else 0
        if available == 0:
            message = f"{variant} is sold out; remove it from your cart."
        else:
            message = (
                f"Only {available} of {variant} are available; "
                "change the quantity in your cart."
            )
        raise InsufficientStock(message, variant_id=variant.pk, available=available)
    return availability


def _checkout_customer(
    details: CheckoutDetails, user: AbstractBaseUser | AnonymousUser | None
) -> Customer:
    """Find the customer by email, ignoring case and spaces, or create one.

    A signed-in user who already has a customer record buys as that customer.
    Otherwise the user is linked to the customer found by email only when
    the user's own email is that address: typing someone else's email must
    not give an account their order history.
    """
    if user is not None and user.is_authenticated:
        # Locked like find_or_create_customer's row, so a merge running now
        # finishes before the order refers to the record.
        linked = (
            Customer.objects.select_for_update(no_key=True)
            .filter(user_id=user.pk)
            .first()
        )
        if linked is not None:
            return linked

    first_name, last_name = split_full_name(details.ship_name)
    customer = find_or_create_customer(
        email=details.email,
        first_name=first_name,
        last_name=last_name,
        phone=details.ship_phone,
    )
    user_email = normalize_email(getattr(user, "email", "") or "")
    customer_email = normalize_email(customer.email)
    if customer.user_id is None and user_email.lower() == customer_email.lower():
        assert user is not None
        customer.user_id = user.pk
        customer.save(update_fields=["user", "updated_at"])
    return customer


def _order_to_write(order: Order | None) -> tuple[Order, bool]:
    """Return the order to rewrite, locked, or a new numbered order.

    The second value is True when an existing order is being rewritten.
    """
    if order is not None:
        unpaid = (
            Order.objects.select_for_update()
            .filter(pk=order.pk, status=Order.Status.PENDING_PAYMENT)
            .first()
        )
        if unpaid is not None:
            unpaid.lines.all().delete()
            unpaid.taxes.all().delete()
            return unpaid, True
    number = next_number("order", start=ORDER_NUMBER_START)
    return Order(number=number), False


def _write_order(
    order: Order, *, customer: Customer, details: CheckoutDetails, quote: CheckoutQuote
) -> None:
    assert quote.shipping_option is not None
    order.customer = customer
    order.email = details.email.strip()
    for field in ADDRESS_FIELDS:
        setattr(order, field, getattr(details, field))
    order.shipping_method = quote.shipping_option.code
    order.shipping_method_name = quote.shipping_option.name
    order.subtotal_amount = quote.subtotal_amount
    order.shipping_amount = quote.shipping_amount
    order.tax_amount = quote.tax_amount
    order.total_amount = quote.total_amount
    order.save()

    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            variant=line.variant,
            sku=line.sku,
            name=line.name,
            options=line.options,
            tax_class=line.tax_class,
            quantity=line.quantity,
            unit_price=line.unit_price,
            subtotal_amount=line.subtotal_amount,
            tax_amount=line.tax_amount,
        )
        for line in quote.lines
    )
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
