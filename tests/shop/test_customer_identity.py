"""One customer record per email: every path finds the same record."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from orders.checkout import CheckoutDetails, _checkout_customer
from orders.counter_customers import CounterSaleError, find_customer
from orders.counter_customers import find_or_create_customer as counter_customer
from shop.accounts import confirm_email, make_confirmation_token
from shop.customers import (
    InvalidCustomerEmail,
    find_customer_by_email,
    find_or_create_customer,
    phone_digits,
)
from shop.models import Customer
from tests.factories.shop import CustomerFactory

from .customer_admin_setup import NO_ADDRESSES

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:shop_customer_add")


def checkout_details(email, **fields):
    return CheckoutDetails(
        email=email,
        ship_name=fields.pop("ship_name", "Ann Roy"),
        ship_line1="5670 Spring Garden Road",
        ship_city="Halifax",
        ship_province="NS",
        ship_postal_code="B3J 1H6",
        **fields,
    )


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_find_or_create_matches_case_and_spaces():
    ann = CustomerFactory(email="ann@example.com")

    found = find_or_create_customer(email="  Ann@Example.COM ")

    assert found.pk == ann.pk
    assert Customer.objects.count() == 1


def test_find_or_create_stores_trimmed_email():
    customer = find_or_create_customer(email="  Ann@Example.com ", first_name="Ann")

    assert customer.email == "Ann@Example.com"
    assert customer.first_name == "Ann"


def test_find_matches_legacy_untrimmed_email():
    legacy = CustomerFactory(email=" ann@example.com ")

    assert find_customer_by_email("ANN@example.com") == legacy
    assert find_or_create_customer(email="ann@example.com").pk == legacy.pk
    assert Customer.objects.count() == 1


def test_find_or_create_fills_blank_name_and_phone():
    signed_up = CustomerFactory(email="ann@example.com", first_name="", last_name="")

    find_or_create_customer(
        email="ann@example.com", first_name="Ann", last_name="Roy", phone="902-555-0101"
    )

    signed_up.refresh_from_db()
    assert (signed_up.first_name, signed_up.last_name) == ("Ann", "Roy")
    assert signed_up.phone == "902-555-0101"


def test_find_or_create_keeps_existing_name():
    ann = CustomerFactory(email="ann@example.com", first_name="Ann", last_name="")

    find_or_create_customer(email="ann@example.com", first_name="Bob", last_name="Li")

    ann.refresh_from_db()
    assert (ann.first_name, ann.last_name) == ("Ann", "")


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("   ", "Enter an email address: a customer needs one."),
        (
            "ann at example",
            "Email 'ann at example' is invalid. Check it and enter it again.",
        ),
    ],
)
def test_find_or_create_rejects_bad_email(email, message):
    with pytest.raises(InvalidCustomerEmail) as error:
        find_or_create_customer(email=email)

    assert str(error.value) == message
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("phone", "digits"),
    [
        ("+1 (902) 555-0101", "9025550101"),
        ("902.555.0101", "9025550101"),
        ("1-902-555-0101", "9025550101"),
        ("555-0101", "5550101"),
    ],
)
def test_phone_digits_drop_punctuation_and_country_code(phone, digits):
    assert phone_digits(phone) == digits


def test_checkout_guest_finds_customer_ignoring_case():
    ann = CustomerFactory(email="ann@example.com")

    customer = _checkout_customer(checkout_details(" ANN@example.com "), None)

    assert customer.pk == ann.pk


def test_checkout_links_user_with_same_email():
    ann = CustomerFactory(email="Ann@Example.com")
    user = get_user_model().objects.create_user(
        "ann@example.com", email="ann@example.com"
    )

    customer = _checkout_customer(checkout_details("ann@example.com"), user)

    assert customer.pk == ann.pk
    ann.refresh_from_db()
    assert ann.user == user


def test_counter_finds_customer_ignoring_case():
    ann = CustomerFactory(email="ann@example.com")

    assert find_customer(" Ann@EXAMPLE.com ") == ann
    assert counter_customer(name="Ann", email="ANN@example.com", phone="") == ann


def test_counter_rejects_invalid_email():
    with pytest.raises(CounterSaleError) as error:
        counter_customer(name="Ann", email="ann@", phone="")

    assert str(error.value) == "Email 'ann@' is invalid. Check it and enter it again."


def test_confirmation_links_customer_ignoring_case():
    guest = CustomerFactory(email="Ann@Example.com")
    user = get_user_model().objects.create_user(
        "ann@example.com", email="ann@example.com"
    )

    customer = confirm_email(make_confirmation_token(user))

    assert customer.pk == guest.pk
    assert Customer.objects.count() == 1


def test_admin_add_existing_email_shows_form_error(staff_client):
    ann = CustomerFactory(email="ann@example.com")

    response = staff_client.post(
        ADD_URL, {**NO_ADDRESSES, "email": " Ann@Example.COM ", "first_name": "A"}
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["email"]
    assert errors == [
        f"Customer {ann.pk} already has the email ann@example.com, compared "
        "without case or spaces. "
        f'<a href="/admin/shop/customer/{ann.pk}/change/">Open that record</a> '
        "and edit it instead, or enter another email."
    ]
    assert Customer.objects.count() == 1
    assert 'value="A"' in response.text


def test_admin_change_keeps_own_email_in_other_case(staff_client):
    ann = CustomerFactory(email="ann@example.com", first_name="Ann")
    url = reverse("admin:shop_customer_change", args=[ann.pk])

    response = staff_client.post(
        url, {**NO_ADDRESSES, "email": " ANN@example.com ", "first_name": "Ann"}
    )

    assert response.status_code == 302
    ann.refresh_from_db()
    assert ann.email == "ANN@example.com"


def test_admin_change_to_taken_email_rejected(staff_client):
    CustomerFactory(email="ann@example.com")
    bob = CustomerFactory(email="bob@example.com")
    url = reverse("admin:shop_customer_change", args=[bob.pk])

    response = staff_client.post(url, {**NO_ADDRESSES, "email": "ANN@example.com"})

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    bob.refresh_from_db()
    assert bob.email == "bob@example.com"
