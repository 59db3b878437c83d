"""Template filters of the storefront: prices and tax rates."""

from decimal import Decimal

from django import template

from ..money import format_money, format_rate

register = template.Library()


@register.filter
def money(amount: Decimal | None) -> str:
    """Format an amount in CAD as customers read it: "$1,234.50"."""
    if amount is None or amount == "":
        return ""
    return format_money(Decimal(amount))


@register.filter
def rate(value: Decimal | None) -> str:
    """Format a tax rate stored as a fraction, 0.14 as "14%"."""
    if value is None or value == "":
        return ""
    return format_rate(Decimal(value))
