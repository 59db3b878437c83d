import pytest
from django.urls import reverse

from orders.admin_search import parse_order_number, search_orders
from orders.models import Order
from tests.factories.orders import OrderFactory, OrderLineFactory
from tests.factories.shop import CustomerFactory


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("100042", 100042),
        (" #100042 ", 100042),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),
        ("100042a", None),
        ("-5", None),
        ("", None),
    ],
)
def test_parse_order_number_table(term, expected):
    assert parse_order_number(term) == expected


@pytest.mark.django_db
def test_order_search_number_with_hash():
    OrderFactory(number=100042)
    OrderFactory(number=100043)

    found = search_orders(Order.objects.all(), "#100042")

    assert [order.number for order in found] == [100042]


@pytest.mark.django_db
def test_order_search_huge_number_finds_nothing(admin_client):
    OrderFactory(number=100042)

    response = admin_client.get(
        reverse("admin:orders_order_changelist"), {"q": "9" * 30}
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


@pytest.mark.django_db
def test_order_search_sku_typed_in_lower_case():
    line = OrderLineFactory(order=OrderFactory(number=100042), sku="MH01-L-GRAY")
    OrderLineFactory(order=OrderFactory(number=100043), sku="MH01-M-GRAY")

    found = search_orders(Order.objects.all(), "mh01-l-gray")

    assert [order.number for order in found] == [line.order.number]


@pytest.mark.django_db
def test_order_search_email_needs_whole_address():
    customer = CustomerFactory(email="lea.gagnon@example.com")
    OrderFactory(number=100042, customer=customer, ship_name="L. G.")

    whole = search_orders(Order.objects.all(), " LEA.GAGNON@example.com ")
    part = search_orders(Order.objects.all(), "gagnon@example")

    assert [order.number for order in whole] == [100042]
    assert list(part) == []


@pytest.mark.django_db
def test_order_search_postal_code_part():
    OrderFactory(number=100042, ship_postal_code="B3J 1H6")
    OrderFactory(number=100043, ship_postal_code="E1C 4B3")

    found = search_orders(Order.objects.all(), "b3j")

    assert [order.number for order in found] == [100042]
