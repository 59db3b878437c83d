"""Money in Canadian dollars: one field definition and one rounding rule."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
CURRENCY = "CAD"


def round_money(value: Decimal) -> Decimal:
    """Round to the cent, half a cent up (Excise Tax Act 165.2(2))."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class MoneyField(models.DecimalField):
    """An amount in CAD to the cent."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_digits") == 12:
            del kwargs["max_digits"]
        if kwargs.get("decimal_places") == 2:
            del kwargs["decimal_places"]
        return name, path, args, kwargs


def validate_not_negative(amount: Decimal) -> None:
    """Raise ValidationError for an amount below zero, naming the amount."""
    if amount is not None and amount < 0:
        raise ValidationError(
            f"{format_money(amount)} is negative; enter 0.00 or more, like 12.50.",
            code="negative",
        )


def format_money(amount: Decimal) -> str:
    """Format an amount in CAD as printed for people: "$1,234.56"."""
    amount = round_money(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def format_rate(rate: Decimal) -> str:
    """Format a tax rate stored as a fraction, 0.09975 as "9.975%"."""
    percent = (rate * 100).normalize()
    return f"{percent:f}%"
