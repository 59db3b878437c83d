"""Marketing consent: where it is given or withdrawn, its date and source."""

from datetime import UTC, datetime
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from orders.checkout import CheckoutDetails, place_order
from orders.forms import AddressForm
from shop.consent import (
    make_unsubscribe_token,
    record_marketing_consent,
    unsubscribe_url,
)
from shop.models import ConsentSource, Customer
from tests.factories.shop import CustomerFactory
from tests.orders.addresses import ADDRESSES
from tests.orders.checkout_setup import cart_with, hoodie
from tests.orders.test_checkout_views import start_checkout

from .customer_admin_setup import NO_ADDRESSES

pytestmark = pytest.mark.django_db

MARCH_5 = datetime(2026, 3, 5, 14, 15, tzinfo=UTC)
APRIL_2 = datetime(2026, 4, 2, 9, 30, tzinfo=UTC)


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def consent_of(customer):
    customer.refresh_from_db()
    return (
        customer.marketing_consent,
        customer.marketing_consent_at,
        customer.marketing_consent_source,
    )


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_consent_recorded_with_date_and_source():
    ann = CustomerFactory()

    with at(MARCH_5):
        changed = record_marketing_consent(
            customer=ann, consent=True, source=ConsentSource.CHECKOUT
        )

    assert changed is True
    assert consent_of(ann) == (True, MARCH_5, "checkout")


def test_repeated_consent_keeps_first_date():
    ann = CustomerFactory()
    with at(MARCH_5):
        record_marketing_consent(
            customer=ann, consent=True, source=ConsentSource.CHECKOUT
        )

    with at(APRIL_2):
        changed = record_marketing_consent(
            customer=ann, consent=True, source=ConsentSource.SIGNUP_FORM
        )

    assert changed is False
    assert consent_of(ann) == (True, MARCH_5, "checkout")


def test_withdrawal_keeps_its_own_date():
    ann = CustomerFactory()
    with at(MARCH_5):
        record_marketing_consent(
            customer=ann, consent=True, source=ConsentSource.CHECKOUT
        )

    with at(APRIL_2):
        record_marketing_consent(
            customer=ann, consent=False, source=ConsentSource.ACCOUNT
        )

    assert consent_of(ann) == (False, APRIL_2, "account")


def test_checkout_consent_box_unticked_by_default():
    form = AddressForm()

    assert form.fields["marketing_consent"].initial is None
    assert "checked" not in str(form["marketing_consent"])


def checkout_details(**fields):
    return CheckoutDetails(**{**ADDRESSES["QC"], **fields}, shipping_method="DOM.RP")


def test_checkout_ticked_box_records_consent():
    cart = cart_with((hoodie(), 1))

    with at(MARCH_5):
        order = place_order(cart=cart, details=checkout_details(marketing_consent=True))

    assert consent_of(order.customer) == (True, MARCH_5, "checkout")


def test_checkout_unticked_box_withdraws_nothing():
    ann = CustomerFactory(email=ADDRESSES["QC"]["email"])
    with at(MARCH_5):
        record_marketing_consent(
            customer=ann, consent=True, source=ConsentSource.ACCOUNT
        )

    place_order(cart=cart_with((hoodie(), 1)), details=checkout_details())

    assert consent_of(ann) == (True, MARCH_5, "account")


def test_checkout_pages_carry_ticked_box(client):
    start_checkout(client, cart_with((hoodie(), 1)))
    client.post(
        reverse("orders:checkout"), {**ADDRESSES["QC"], "marketing_consent": "on"}
    )
    client.post(reverse("orders:checkout-shipping"), {"shipping_method": "DOM.RP"})

    with at(MARCH_5):
        review = client.get(reverse("orders:checkout-review"))
        client.post(reverse("orders:checkout-review"))

    assert "We will also email kenji.leblanc17@example.com our news" in review.text
    customer = Customer.objects.get()
    assert consent_of(customer) == (True, MARCH_5, "checkout")


def test_account_page_records_consent(client):
    user = get_user_model().objects.create_user(
        "ann@example.com", email="ann@example.com"
    )
    ann = CustomerFactory(email="ann@example.com", user=user)
    client.force_login(user)

    with at(MARCH_5):
        response = client.post(
            reverse("shop:account-marketing"), {"marketing_consent": "on"}
        )

    assert response.status_code == 302
    assert consent_of(ann) == (True, MARCH_5, "account")


def test_account_page_unticked_withdraws(client):
    user = get_user_model().objects.create_user(
        "ann@example.com", email="ann@example.com"
    )
    ann = CustomerFactory(
        email="ann@example.com",
        user=user,
        marketing_consent=True,
        marketing_consent_at=MARCH_5,
        marketing_consent_source=ConsentSource.CHECKOUT,
    )
    client.force_login(user)

    with at(APRIL_2):
        client.post(reverse("shop:account-marketing"), {})

    assert consent_of(ann) == (False, APRIL_2, "account")


def test_account_without_customer_records_nothing(client):
    user = get_user_model().objects.create_user(
        "ann@example.com", email="ann@example.com"
    )
    client.force_login(user)

    response = client.post(
        reverse("shop:account-marketing"), {"marketing_consent": "on"}, follow=True
    )

    assert Customer.objects.count() == 0
    assert "Confirm your email first" in response.text


def test_signup_form_creates_consenting_customer(client):
    with at(MARCH_5):
        response = client.post(
            reverse("shop:mailing-list"), {"email": " New@Example.com "}, follow=True
        )

    customer = Customer.objects.get()
    assert customer.email == "New@Example.com"
    assert consent_of(customer) == (True, MARCH_5, "signup_form")
    assert "Thank you: New@Example.com is on our mailing list." in response.text


def test_signup_form_uses_existing_customer(client):
    ann = CustomerFactory(email="ann@example.com")

    with at(MARCH_5):
        client.post(reverse("shop:mailing-list"), {"email": "ANN@example.com"})

    assert Customer.objects.count() == 1
    assert consent_of(ann) == (True, MARCH_5, "signup_form")


def test_signup_form_invalid_email_keeps_value(client):
    response = client.post(reverse("shop:mailing-list"), {"email": "ann@example"})

    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["Enter a valid email address."]
    assert 'value="ann@example"' in response.text
    assert Customer.objects.count() == 0


def test_footer_posts_to_signup_form(client):
    response = client.get(reverse("shop:home"))

    assert f'action="{reverse("shop:mailing-list")}"' in response.text


def consenting_customer():
    return CustomerFactory(
        email="Ann@Example.com",
        marketing_consent=True,
        marketing_consent_at=MARCH_5,
        marketing_consent_source=ConsentSource.CHECKOUT,
    )


def test_unsubscribe_link_get_changes_nothing(client):
    ann = consenting_customer()

    response = client.get(unsubscribe_url(ann))

    assert response.status_code == 200
    assert "Stop sending news and offers to ann@example.com?" in response.text
    assert consent_of(ann) == (True, MARCH_5, "checkout")


def test_unsubscribe_link_post_withdraws_without_login(client):
    ann = consenting_customer()
    path = reverse("shop:unsubscribe", args=[make_unsubscribe_token(ann)])

    with at(APRIL_2):
        response = client.post(path)

    assert response.status_code == 200
    assert consent_of(ann) == (False, APRIL_2, "unsubscribe")
    assert "ann@example.com will get no more news or offers" in response.text


def test_unsubscribe_one_click_needs_no_csrf_token():
    ann = consenting_customer()
    path = reverse("shop:unsubscribe", args=[make_unsubscribe_token(ann)])

    Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})

    assert consent_of(ann)[0] is False


def test_unsubscribe_tampered_token_rejected(client):
    ann = consenting_customer()
    token = make_unsubscribe_token(ann)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = client.post(reverse("shop:unsubscribe", args=[tampered]))

    assert response.status_code == 400
    assert "This unsubscribe link is invalid." in response.text
    assert consent_of(ann) == (True, MARCH_5, "checkout")


def test_unsubscribe_url_is_absolute(settings):
    settings.SHOP_BASE_URL = "https://shop.example.com/"
    ann = consenting_customer()

    url = unsubscribe_url(ann)

    assert url.startswith("https://shop.example.com/mailing-list/unsubscribe/")


def test_admin_consent_edit_sets_staff_source(staff_client):
    ann = CustomerFactory(email="ann@example.com", first_name="Ann")
    url = reverse("admin:shop_customer_change", args=[ann.pk])

    with at(MARCH_5):
        response = staff_client.post(
            url,
            {
                **NO_ADDRESSES,
                "email": "ann@example.com",
                "first_name": "Ann",
                "marketing_consent": "on",
                # Read-only in the admin: a posted value must be ignored.
                "marketing_consent_source": "import",
            },
        )

    assert response.status_code == 302
    assert consent_of(ann) == (True, MARCH_5, "staff")


def test_admin_edit_without_consent_change_keeps_source(staff_client):
    ann = consenting_customer()
    url = reverse("admin:shop_customer_change", args=[ann.pk])

    with at(APRIL_2):
        staff_client.post(
            url,
            {
                **NO_ADDRESSES,
                "email": "Ann@Example.com",
                "first_name": "Annie",
                "marketing_consent": "on",
            },
        )

    ann.refresh_from_db()
    assert ann.first_name == "Annie"
    assert consent_of(ann) == (True, MARCH_5, "checkout")


def test_counter_records_in_store_consent(client, admin_user):
    client.force_login(admin_user)
    ann = CustomerFactory(email="ann@example.com")
    client.post("/counter/customer/", {"action": "find", "query": "ann@example.com"})

    with at(MARCH_5):
        client.post(
            "/counter/customer/", {"action": "consent", "marketing_consent": "on"}
        )

    assert consent_of(ann) == (True, MARCH_5, "in_store")


def test_counter_new_customer_with_consent(client, admin_user):
    client.force_login(admin_user)

    with at(MARCH_5):
        client.post(
            "/counter/customer/",
            {
                "action": "create",
                "name": "Sam Leblanc",
                "email": "sam@example.com",
                "marketing_consent": "on",
            },
        )

    sam = Customer.objects.get(email="sam@example.com")
    assert consent_of(sam) == (True, MARCH_5, "in_store")
