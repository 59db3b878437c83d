import datetime

import pytest

from fulfillment.models import Shipment
from shop.models import Address, ConsentSource, Customer
from shop.roles import MANAGER
from tests.factories.orders import OrderFactory
from tests.factories.shop import CustomerFactory

CUSTOMERS = "/api/customers/"


@pytest.fixture
def manager(api_client_for):
    return api_client_for(MANAGER)


def add_address(customer: Customer, **fields) -> Address:
    values = {
        "name": customer.full_name,
        "line1": "1 Water Street",
        "city": "Halifax",
        "province": "NS",
        "postal_code": "B3J 1H6",
        **fields,
    }
    return Address.objects.create(customer=customer, **values)


def found_emails(response) -> list[str]:
    return [row["email"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_customer_search_by_email_part(manager):
    CustomerFactory(email="avery.tremblay@example.com")
    CustomerFactory(email="sam@example.com")

    response = manager.get(CUSTOMERS, {"q": "TREMBLAY@"})

    assert found_emails(response) == ["avery.tremblay@example.com"]


@pytest.mark.django_db
def test_customer_search_by_full_name(manager):
    CustomerFactory(email="a@example.com", first_name="Avery", last_name="Tremblay")
    CustomerFactory(email="b@example.com", first_name="Avery", last_name="Nguyen")

    response = manager.get(CUSTOMERS, {"q": "avery tremblay"})

    assert found_emails(response) == ["a@example.com"]


@pytest.mark.django_db
def test_customer_search_by_phone_digits(manager):
    CustomerFactory(email="a@example.com", phone="(902) 555-0142")
    CustomerFactory(email="b@example.com", phone="902 555 0199")

    response = manager.get(CUSTOMERS, {"q": "+1 902.555.0142"})

    assert found_emails(response) == ["a@example.com"]


@pytest.mark.django_db
def test_customer_search_by_address_phone(manager):
    customer = CustomerFactory(email="a@example.com")
    add_address(customer, phone="902-555-0142")
    CustomerFactory(email="b@example.com")

    response = manager.get(CUSTOMERS, {"q": "9025550142"})

    assert found_emails(response) == ["a@example.com"]


@pytest.mark.django_db
def test_customer_search_by_postal_code(manager):
    add_address(CustomerFactory(email="a@example.com"), postal_code="B3J 1H6")
    add_address(CustomerFactory(email="b@example.com"), postal_code="K1A 0B1")

    response = manager.get(CUSTOMERS, {"q": "b3j1h6"})

    assert found_emails(response) == ["a@example.com"]


@pytest.mark.django_db
def test_customer_search_by_order_number(manager):
    OrderFactory(number=100777, customer=CustomerFactory(email="a@example.com"))
    OrderFactory(number=100778, customer=CustomerFactory(email="b@example.com"))

    response = manager.get(CUSTOMERS, {"q": "#100777"})

    assert found_emails(response) == ["a@example.com"]


@pytest.mark.django_db
def test_customer_search_by_tracking_number(manager):
    order = OrderFactory(customer=CustomerFactory(email="a@example.com"))
    Shipment.objects.create(
        number="1-1", order=order, tracking_number="7023210039414604"
    )
    CustomerFactory(email="b@example.com")

    response = manager.get(CUSTOMERS, {"q": "7023 2100 3941 4604"})

    assert found_emails(response) == ["a@example.com"]


@pytest.mark.django_db
def test_customer_blank_search_is_ignored(manager):
    CustomerFactory(email="a@example.com")

    response = manager.get(CUSTOMERS, {"q": "   "})

    assert found_emails(response) == ["a@example.com"]


@pytest.mark.django_db
def test_customer_shows_addresses_consent_orders(manager):
    consent_at = datetime.datetime(2026, 3, 1, 15, 30, tzinfo=datetime.UTC)
    customer = CustomerFactory(
        email="a@example.com",
        marketing_consent=True,
        marketing_consent_at=consent_at,
        marketing_consent_source=ConsentSource.CHECKOUT,
    )
    add_address(customer, postal_code="B3J 1H6")
    OrderFactory(number=100001, customer=customer)
    OrderFactory(number=100002, customer=customer)

    body = manager.get(f"{CUSTOMERS}{customer.pk}/").json()

    assert body["full_name"] == "Avery Tremblay"
    assert body["marketing_consent"] is True
    assert body["marketing_consent_at"] == "2026-03-01T11:30:00-04:00"
    assert body["marketing_consent_source"] == "checkout"
    assert [address["postal_code"] for address in body["addresses"]] == ["B3J 1H6"]
    assert body["order_numbers"] == [100002, 100001]


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", [1, 4])
def test_customer_page_query_count_is_fixed(
    manager, django_assert_num_queries, page_size
):
    for _ in range(4):
        customer = CustomerFactory()
        add_address(customer)
        OrderFactory(customer=customer)

    # Token, permissions (2), count, customers, addresses, orders.
    with django_assert_num_queries(7):
        response = manager.get(CUSTOMERS, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
