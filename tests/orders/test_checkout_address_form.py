import pytest
from django.template.loader import render_to_string

from orders.forms import AddressForm, postal_code_province_error

from .addresses import ADDRESSES


def _form(**changes):
    return AddressForm({**ADDRESSES["QC"], **changes})


@pytest.mark.parametrize(
    ("postal_code", "province", "error"),
    [
        (
            "X1A 2N5",
            "NU",
            "Postal code X1A 2N5 is in Northwest Territories, not Nunavut. "
            "Check the province or the postal code.",
        ),
        (
            "X0A 0H0",
            "NT",
            "Postal code X0A 0H0 is in Nunavut, not Northwest Territories. "
            "Check the province or the postal code.",
        ),
        ("X0B 0C0", "NU", None),
        ("X0C 0A0", "NU", None),
        ("X0E 0N0", "NT", None),
        ("X0G 0A0", "NT", None),
        ("X1A 2N5", "NT", None),
    ],
)
def test_postal_code_splits_district_x(postal_code, province, error):
    assert postal_code_province_error(postal_code, province) == error


def test_address_form_rejects_nunavut_with_yellowknife_code():
    form = _form(ship_province="NU", ship_postal_code="X1A 2N5", ship_city="Iqaluit")

    assert form.errors["ship_postal_code"] == [
        "Postal code X1A 2N5 is in Northwest Territories, not Nunavut. "
        "Check the province or the postal code."
    ]


def test_province_select_starts_empty():
    html = str(AddressForm()["ship_province"])

    assert '<option value="" selected>Choose a province or territory</option>' in html


def test_province_is_required():
    form = _form(ship_province="")

    assert form.errors["ship_province"] == ["Choose a province or territory."]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("902-555-0123", "902-555-0123"),
        ("(902) 555-0123", "902-555-0123"),
        ("+1 902 555 0123", "902-555-0123"),
        ("1.902.555.0123", "902-555-0123"),
        ("9025550123", "902-555-0123"),
        ("+1-514-555-0106", "514-555-0106"),
        ("", ""),
    ],
)
def test_phone_is_normalised(typed, stored):
    form = _form(ship_phone=typed)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["ship_phone"] == stored


@pytest.mark.parametrize(
    "typed",
    ["call me maybe", "555-0123", "123-555-0123", "902-555-01234", "902+555+0123"],
)
def test_phone_not_a_number_is_rejected(typed):
    form = _form(ship_phone=typed)

    assert form.errors["ship_phone"] == [
        f"“{typed}” is not a phone number. Enter the area code and number, "
        "like 902-555-0123, or leave the phone empty."
    ]


def test_address_fields_drop_control_characters():
    form = _form(ship_name="Kenji\x1b Leblanc", ship_city="Mont\x07réal\tNord")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["ship_name"] == "Kenji Leblanc"
    assert form.cleaned_data["ship_city"] == "Montréal Nord"


def test_help_text_follows_its_input():
    field = AddressForm()["ship_phone"]

    html = render_to_string("orders/checkout_field.html", {"field": field})

    assert html.index("<input") < html.index("The carrier calls only")
    assert html.index("<label") < html.index("<input")
