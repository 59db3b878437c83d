"""Checkout forms: contact and delivery address, then shipping method.

The shipping step also takes the shipping preference of an order with
backordered units.
"""

import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from django import forms
from django.template.defaultfilters import date as format_date
from localflavor.ca.ca_provinces import PROVINCE_CHOICES
from localflavor.ca.forms import CAPostalCodeField, CAProvinceField

from inventory.selectors import format_ship_date
from shop.text import strip_control_characters

from .models import Order

if TYPE_CHECKING:
    from shipping.rates import ShippingOption

    from .checkout_backorders import BackorderPlan

PROVINCE_NAMES = {code: str(name) for code, name in PROVINCE_CHOICES}
PROVINCE_SELECT_CHOICES = [("", "Choose a province or territory"), *PROVINCE_CHOICES]

# Characters allowed in a typed phone number: digits, spaces, dashes, dots,
# parentheses, and a leading "+" for "+1".
PHONE_CHARACTERS = re.compile(r"\+?[\d\s().-]+")
# A North American Numbering Plan number: a three-digit area code and a
# three-digit exchange, both starting with 2-9, then four digits.
NANP_DIGITS = re.compile(r"([2-9]\d{2})([2-9]\d{2})(\d{4})")

# Canada Post gives each province or territory the first letter of its postal
# codes (the postal district). X is shared by the Northwest Territories and
# Nunavut; D, F, I, O, Q and U are never used.
POSTAL_DISTRICT_PROVINCES = {
    "A": ("NL",),
    "B": ("NS",),
    "C": ("PE",),
    "E": ("NB",),
    "G": ("QC",),
    "H": ("QC",),
    "J": ("QC",),
    "K": ("ON",),
    "L": ("ON",),
    "M": ("ON",),
    "N": ("ON",),
    "P": ("ON",),
    "R": ("MB",),
    "S": ("SK",),
    "T": ("AB",),
    "V": ("BC",),
    "X": ("NT", "NU"),
    "Y": ("YT",),
}


# Within district X, these forward sortation areas are Nunavut's; every
# other X code is in the Northwest Territories (Canada Post).
NUNAVUT_FORWARD_SORTATION_AREAS = frozenset({"X0A", "X0B", "X0C"})


def postal_code_provinces(postal_code: str) -> tuple[str, ...]:
    """Return the provinces or territories that a postal code can be in."""
    if postal_code[:1] == "X":
        if postal_code[:3] in NUNAVUT_FORWARD_SORTATION_AREAS:
            return ("NU",)
        return ("NT",)
    return POSTAL_DISTRICT_PROVINCES.get(postal_code[:1], ())


def postal_code_province_error(postal_code: str, province: str) -> str | None:
    """Return why `postal_code` cannot be in `province`, or None if it can.

    `postal_code` is normalised ("K1A 0B1") and `province` a two-letter code.
    """
    provinces = postal_code_provinces(postal_code)
    if province in provinces:
        return None
    if not provinces:
        return (
            f"Postal code {postal_code} does not exist: no Canadian postal code "
            "starts with that letter. Check the postal code."
        )
    where = " or ".join(PROVINCE_NAMES[code] for code in provinces)
    return (
        f"Postal code {postal_code} is in {where}, not {PROVINCE_NAMES[province]}. "
        "Check the province or the postal code."
    )


class PostalCodeField(CAPostalCodeField):
    """A Canadian postal code, normalised to "A1A 1A1"."""

    def clean(self, value):
        try:
            return super().clean(value)
        except forms.ValidationError as error:
            if error.code != "invalid":
                raise
            raise forms.ValidationError(
                "%(value)s is not a Canadian postal code. Enter it as letter, "
                "digit, letter, space, digit, letter, digit, like K1A 0B1.",
                code="invalid",
                params={"value": value.strip()},
            ) from error


class SingleLineField(forms.CharField):
    """A line of text, with control characters dropped (see shop.text)."""

    def to_python(self, value):
        value = super().to_python(value)
        return strip_control_characters(value).strip() if value else value


class PhoneField(SingleLineField):
    """A North American phone number, normalised to "902-555-0123"."""

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return text
        digits = re.sub(r"\D", "", text)
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        match = NANP_DIGITS.fullmatch(digits)
        if PHONE_CHARACTERS.fullmatch(text) is None or match is None:
            raise forms.ValidationError(
                "“%(value)s” is not a phone number. Enter the area code and number, "
                "like 902-555-0123, or leave the phone empty.",
                code="invalid",
                params={"value": text},
            )
        return "-".join(match.groups())


class AddressForm(forms.Form):
    """Step one: the customer's email and where to deliver."""

    email = forms.EmailField(
        label="Email",
        help_text="We send the order confirmation and invoice here.",
    )
    ship_name = SingleLineField(label="Full name", max_length=200)
    ship_company = SingleLineField(label="Company", max_length=200, required=False)
    ship_line1 = SingleLineField(label="Address", max_length=200)
    ship_line2 = SingleLineField(
        label="Apartment, suite or unit", max_length=200, required=False
    )
    ship_city = SingleLineField(label="City", max_length=100)
    ship_province = CAProvinceField(
        label="Province or territory",
        widget=forms.Select(choices=PROVINCE_SELECT_CHOICES),
        error_messages={"required": "Choose a province or territory."},
    )
    ship_postal_code = PostalCodeField(label="Postal code")
    ship_phone = PhoneField(
        label="Phone",
        max_length=32,
        required=False,
        help_text="The carrier calls only if a delivery needs it.",
    )
    marketing_consent = forms.BooleanField(
        label="Email me news and offers",
        required=False,
        help_text="You can unsubscribe at any time from any of these emails.",
    )

    # Browser autofill tokens from the HTML standard's autocomplete attribute.
    autocomplete = {
        "email": "email",
        "ship_name": "shipping name",
        "ship_company": "shipping organization",
        "ship_line1": "shipping address-line1",
        "ship_line2": "shipping address-line2",
        "ship_city": "shipping address-level2",
        "ship_province": "shipping address-level1",
        "ship_postal_code": "shipping postal-code",
        "ship_phone": "shipping tel",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, token in self.autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = token

    def clean(self):
        cleaned_data = super().clean()
        province = self.cleaned_data.get("ship_province")
        postal_code = self.cleaned_data.get("ship_postal_code")
        if province and postal_code:
            error = postal_code_province_error(postal_code, province)
            if error:
                self.add_error("ship_postal_code", error)
        return cleaned_data


def shipping_option_label(option: "ShippingOption") -> str:
    """Describe a shipping option for the customer: name, price, delivery."""
    label = f"{option.name}: ${option.amount}"
    if option.delivery_date:
        return f"{label}, expected {format_date(option.delivery_date, 'l, F j')}"
    days = "business day" if option.transit_days == 1 else "business days"
    return f"{label}, {option.transit_days} {days}"


def shipping_preference_choices(plan: "BackorderPlan") -> list[tuple[str, str]]:
    """Label both shipping preferences with their expected ship dates."""
    later = _around(plan.backorder_ship_date)
    if plan.in_stock_ship_date is None:
        now = "Items ship as each one arrives"
    else:
        now = f"In-stock items ship {_on(plan.in_stock_ship_date, plan.today)}"
    preference = Order.ShippingPreference
    return [
        (
            preference.SHIP_AVAILABLE,
            "Ship what is in stock now and the rest when it arrives. "
            f"{now}, the rest {later}.",
        ),
        (
            preference.SHIP_TOGETHER,
            f"Wait and ship everything together. Everything ships {later}.",
        ),
    ]


def _on(day: date, today: date) -> str:
    return "today" if day == today else f"on {format_ship_date(day)}"


def _around(day: date | None) -> str:
    if day is None:
        return "when it arrives"
    return f"around {format_ship_date(day)}"


class ShippingMethodForm(forms.Form):
    """Step two: one of the shipping options quoted for the address.

    Given a BackorderPlan, the form also requires the shipping preference.
    """

    shipping_method = forms.ChoiceField(
        label="Shipping method",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a shipping method.",
            "invalid_choice": (
                "%(value)s is not offered for this address any more. "
                "Choose one of the methods listed."
            ),
        },
    )

    def __init__(
        self,
        *args,
        options: Sequence["ShippingOption"],
        backorder_plan: "BackorderPlan | None" = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        field = self.fields["shipping_method"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (option.code, shipping_option_label(option)) for option in options
        ]
        if backorder_plan is not None:
            self.fields["shipping_preference"] = forms.ChoiceField(
                label="Some items are on backorder. How should we ship them?",
                widget=forms.RadioSelect,
                choices=shipping_preference_choices(backorder_plan),
                help_text="Shipping is charged once, whichever you choose.",
                error_messages={
                    "required": "Choose how to ship the items on backorder.",
                    "invalid_choice": (
                        "%(value)s is not a shipping choice. Choose one of "
                        "the two listed."
                    ),
                },
            )
