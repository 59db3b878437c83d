import pytest
from django.urls import reverse

from tests.factories.orders import OrderFactory, OrderLineFactory
from tests.factories.shop import CustomerFactory


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def search_orders(staff_client, term):
    response = staff_client.get(reverse("admin:orders_order_changelist"), {"q": term})
    assert response.status_code == 200
    return [order.number for order in response.context["cl"].result_list]


@pytest.mark.django_db
def test_order_search_finds_by_number(staff_client):
    OrderFactory(number=100123)
    OrderFactory(number=100124)

    assert search_orders(staff_client, "100123") == [100123]


@pytest.mark.django_db
def test_order_search_finds_by_email_ignoring_case(staff_client):
    customer = CustomerFactory(email="lea.gagnon@example.com")
    OrderFactory(number=100200, customer=customer, email=customer.email)
    OrderFactory(number=100201)

    assert search_orders(staff_client, "Lea.Gagnon@Example.com") == [100200]


@pytest.mark.django_db
def test_order_search_finds_by_customer_name(staff_client):
    customer = CustomerFactory(first_name="Mireille", last_name="Arsenault")
    OrderFactory(number=100300, customer=customer, ship_name="M. Arsenault")
    OrderFactory(number=100301)

    assert search_orders(staff_client, "Mireille") == [100300]


@pytest.mark.django_db
def test_order_search_with_words_ignores_number_lookup(staff_client):
    OrderFactory(number=100400, ship_name="Jonah Whitehorse")

    assert search_orders(staff_client, "Whitehorse") == [100400]


def address_post(order, **changes):
    """The order change form's fields, as staff would submit them."""
    data = {
        "ship_name": order.ship_name,
        "ship_company": order.ship_company,
        "ship_line1": order.ship_line1,
        "ship_line2": order.ship_line2,
        "ship_city": order.ship_city,
        "ship_postal_code": order.ship_postal_code,
        "ship_phone": order.ship_phone,
    }
    for prefix in ("lines", "taxes", "payments"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data.update(changes)
    return data


@pytest.mark.django_db
def test_order_address_correction_keeps_province(staff_client):
    order = OrderFactory(paid=True)
    url = reverse("admin:orders_order_change", args=[order.pk])

    response = staff_client.post(
        url, address_post(order, ship_line1="5680 Spring Garden Road")
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.ship_line1 == "5680 Spring Garden Road"
    assert order.ship_province == "NS"


@pytest.mark.django_db
def test_order_address_rejects_postal_code_of_other_province(staff_client):
    order = OrderFactory(paid=True)
    url = reverse("admin:orders_order_change", args=[order.pk])

    response = staff_client.post(url, address_post(order, ship_postal_code="T5J 0N3"))

    assert response.status_code == 200
    assert "Postal code T5J 0N3 is in Alberta, not Nova Scotia." in response.text
    order.refresh_from_db()
    assert order.ship_postal_code == "B3J 1H6"


@pytest.mark.django_db
def test_order_search_finds_by_sku(staff_client):
    line = OrderLineFactory(order=OrderFactory(number=100500), sku="MH01-L-Gray")
    OrderLineFactory(order=line.order, sku="MH01-M-Gray")
    OrderFactory(number=100501)

    assert search_orders(staff_client, "MH01-L-Gray") == [100500]
