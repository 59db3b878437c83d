"""Template filters of the storefront: prices in Canadian dollars."""

from decimal import Decimal

from django import template

from ..money import round_money

register = template.Library()


@register.filter
def money(amount: Decimal | None) -> str:
    """Format an amount in CAD as customers read it: "$1,234.50"."""
    if amount is None or amount == "":
        return ""
    amount = round_money(Decimal(amount))
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"
