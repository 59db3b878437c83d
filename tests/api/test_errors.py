"""Bad URLs and query parameters across the API: JSON errors, never HTML."""

import pytest

from orders.counter_customers import walk_in_customer
from shop.roles import MANAGER
from tests.factories.orders import OrderFactory
from tests.factories.shop import CustomerFactory, VariantFactory

ORDERS = "/api/orders/"


@pytest.fixture
def manager(api_client_for):
    return api_client_for(MANAGER)


def found(response, key: str) -> list:
    return [row[key] for row in response.json()["results"]]


@pytest.mark.django_db
def test_unknown_url_is_json_404(manager):
    response = manager.post("/api/purchase-orders/abc/receive/", {}, format="json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "No API endpoint at /api/purchase-orders/abc/receive/. Check "
        "the path and the id in it against the endpoints listed at /api/docs/."
    }


@pytest.mark.django_db
def test_unknown_url_without_token_is_404(client):
    response = client.get("/api/no-such-list/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_known_url_without_slash_still_redirects(manager):
    response = manager.get("/api/orders")

    assert response.status_code == 301
    assert response["Location"] == "/api/orders/"


@pytest.mark.django_db
def test_ordering_unknown_field_is_400(manager):
    response = manager.get(ORDERS, {"ordering": "-number,password"})

    assert response.status_code == 400
    assert response.json() == {
        "ordering": [
            "Cannot sort by 'password'; use one of number, created_at, "
            "updated_at, total_amount, with a leading - to reverse."
        ]
    }


@pytest.mark.django_db
def test_ordering_known_fields_sort(manager):
    OrderFactory(number=100002, total_amount="5.00")
    OrderFactory(number=100001, total_amount="5.00")
    OrderFactory(number=100003, total_amount="1.00")

    response = manager.get(ORDERS, {"ordering": "-total_amount,number,"})

    assert found(response, "number") == [100001, 100002, 100003]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "edge"),
    [
        ("0001-01-01T00:00:00+14:00", "before year 1"),
        ("9999-12-31T23:59:59-12:00", "after year 9999"),
        ("9999-12-31T23:59:59", "after year 9999"),
    ],
)
def test_time_beyond_utc_range_named(manager, value, edge):
    response = manager.get(ORDERS, {"updated_since": value})

    assert response.status_code == 400
    assert response.json() == {
        "updated_since": [
            f"'{value}' is out of range because in UTC it falls {edge}; send a "
            "time from 0001-01-02 to 9999-12-30."
        ]
    }


@pytest.mark.django_db
def test_time_at_utc_range_edge_accepted(manager):
    OrderFactory(number=100001)

    response = manager.get(ORDERS, {"updated_since": "0001-01-01T10:00:00+09:00"})

    assert response.status_code == 200
    assert found(response, "number") == [100001]


@pytest.mark.django_db
def test_customer_search_drops_control_characters(manager):
    CustomerFactory(email="avery@example.com", first_name="Avery", last_name="Roy")
    CustomerFactory(email="sam@example.com", first_name="Sam", last_name="Roy")

    response = manager.get("/api/customers/", {"q": "Av\x00ery\x1b"})

    assert response.status_code == 200
    assert found(response, "email") == ["avery@example.com"]


@pytest.mark.django_db
def test_customer_search_skips_walk_in_name(manager):
    walk_in_customer()
    CustomerFactory(email="tom@example.com", first_name="Tom", last_name="Ng")

    response = manager.get("/api/customers/", {"q": "tom"})

    assert found(response, "email") == ["tom@example.com"]


@pytest.mark.django_db
def test_product_search_drops_control_characters(manager):
    VariantFactory(product__name="Harbour hoodie", sku="HOOD-BLK")
    VariantFactory(product__name="Island tee", sku="TEE-RED")

    response = manager.get("/api/products/", {"q": "harbour\x00\thood"})

    assert response.status_code == 200
    assert found(response, "name") == ["Harbour hoodie"]


@pytest.mark.django_db
def test_variant_search_drops_control_characters(manager):
    VariantFactory(sku="HOOD-BLK", barcode="0628000000017")
    VariantFactory(sku="TEE-RED", barcode="0628000000024")

    response = manager.get("/api/variants/", {"q": "0628000000024\x00"})

    assert response.status_code == 200
    assert found(response, "sku") == ["TEE-RED"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_search_with_only_nul_on_postgresql(manager):
    CustomerFactory(email="avery@example.com")

    response = manager.get("/api/customers/", {"q": "\x00"})

    assert response.status_code == 200
    assert found(response, "email") == ["avery@example.com"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_shipment_number_with_nul_not_found(manager):
    response = manager.get("/api/shipments/%00/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
