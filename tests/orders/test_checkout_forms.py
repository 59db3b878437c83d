import pytest

from orders.forms import AddressForm, postal_code_province_error

from .addresses import ADDRESSES


@pytest.mark.parametrize("province", sorted(ADDRESSES))
def test_address_form_accepts_real_address(province):
    form = AddressForm(ADDRESSES[province])

    assert form.is_valid(), form.errors
    assert form.cleaned_data["ship_province"] == province
    assert (
        form.cleaned_data["ship_postal_code"] == ADDRESSES[province]["ship_postal_code"]
    )


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [("k1p0x5", "K1P 0X5"), (" K1P   0X5 ", "K1P 0X5"), ("k1p 0x5", "K1P 0X5")],
)
def test_address_form_normalises_postal_code(typed, normalised):
    form = AddressForm({**ADDRESSES["ON"], "ship_postal_code": typed})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["ship_postal_code"] == normalised


def test_address_form_accepts_province_name():
    form = AddressForm({**ADDRESSES["QC"], "ship_province": "Quebec"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["ship_province"] == "QC"


def test_address_form_rejects_ontario_code_in_quebec():
    form = AddressForm({**ADDRESSES["QC"], "ship_postal_code": "K1A 0B1"})

    assert not form.is_valid()
    assert form.errors["ship_postal_code"] == [
        "Postal code K1A 0B1 is in Ontario, not Quebec. "
        "Check the province or the postal code."
    ]


def test_address_form_rejects_malformed_postal_code():
    form = AddressForm({**ADDRESSES["ON"], "ship_postal_code": "K1A 0B"})

    assert not form.is_valid()
    assert form.errors["ship_postal_code"] == [
        "K1A 0B is not a Canadian postal code. Enter it as letter, digit, "
        "letter, space, digit, letter, digit, like K1A 0B1."
    ]


@pytest.mark.parametrize("letter", ["D", "F", "I", "O", "Q", "U"])
def test_address_form_rejects_unused_first_letter(letter):
    form = AddressForm({**ADDRESSES["ON"], "ship_postal_code": f"{letter}1A 0B1"})

    assert not form.is_valid()
    assert "ship_postal_code" in form.errors


def test_address_form_requires_delivery_fields():
    form = AddressForm({"email": "ingrid.tremblay1@example.com"})

    assert not form.is_valid()
    assert sorted(form.errors) == [
        "ship_city",
        "ship_line1",
        "ship_name",
        "ship_postal_code",
        "ship_province",
    ]


@pytest.mark.parametrize(
    ("postal_code", "province"),
    [
        ("A1B 5C3", "NL"),
        ("B3H 8K2", "NS"),
        ("C1A 9K6", "PE"),
        ("E1C 4K2", "NB"),
        ("G1R 4K5", "QC"),
        ("H2X 7V4", "QC"),
        ("J8Y 6Y6", "QC"),
        ("K1P 0X5", "ON"),
        ("L8P 5L0", "ON"),
        ("M5V 8P0", "ON"),
        ("N6A 2G5", "ON"),
        ("P3E 9R1", "ON"),
        ("R3C 1B4", "MB"),
        ("S4P 0S8", "SK"),
        ("T2P 1A4", "AB"),
        ("V6B 6Y9", "BC"),
        ("X1A 7P1", "NT"),
        ("X0A 0H0", "NU"),
        ("Y1A 2H5", "YT"),
    ],
)
def test_postal_code_matches_its_province(postal_code, province):
    assert postal_code_province_error(postal_code, province) is None


def test_postal_code_names_northern_territory():
    error = postal_code_province_error("X1A 7P1", "YT")

    assert error == (
        "Postal code X1A 7P1 is in Northwest Territories, not Yukon. "
        "Check the province or the postal code."
    )
