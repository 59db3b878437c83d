import pytest
from django.urls import reverse

from tests.factories.orders import OrderFactory
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
