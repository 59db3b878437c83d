"""The counter screen: session-held sale, customers, payment and receipt."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages

from inventory.models import Stock
from inventory.services import set_opening_stock
from orders.models import Order
from shop.models import Customer
from tests.factories.shop import CustomerFactory, ProductFactory, VariantFactory


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_user("clerk", is_staff=True)
    client.force_login(user)
    return client


@pytest.fixture
def hoodie(db, settings):
    settings.SHOP_STORE_PROVINCE = "NS"
    variant = VariantFactory(
        product=ProductFactory(name="Harbour Hoodie"),
        sku="HOOD-M",
        barcode="0062345000017",
        size="M",
        price=Decimal("52.00"),
        unit_cost=Decimal("20.00"),
    )
    set_opening_stock(variant=variant, quantity=5)
    return variant


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def sale_lines(client):
    return client.session["counter_sale"]["lines"]


def test_counter_scan_adds_line(staff_client, hoodie):
    staff_client.post("/counter/add/", {"code": "0062345000017", "quantity": "1"})
    staff_client.post("/counter/add/", {"code": "hood-m", "quantity": "2"})

    response = staff_client.get("/counter/")

    [row] = response.context["rows"]
    assert (row["line"].quantity, row["line"].subtotal_amount) == (3, Decimal("156.00"))
    assert row["available"] == 5
    assert response.context["quote"].total_amount == Decimal("177.84")
    assert response.context["quote"].cash_total_amount == Decimal("177.85")


def test_counter_unknown_code_keeps_sale(staff_client, hoodie):
    staff_client.post("/counter/add/", {"code": "HOOD-M", "quantity": "1"})

    response = staff_client.post("/counter/add/", {"code": "NOPE-9", "quantity": "1"})

    assert message_texts(response) == [
        "No item on sale has barcode or SKU 'NOPE-9'; "
        "scan it again or type the SKU from the label."
    ]
    assert sale_lines(staff_client) == [[hoodie.pk, 1]]


def test_counter_bad_quantity_named(staff_client, hoodie):
    response = staff_client.post("/counter/add/", {"code": "HOOD-M", "quantity": "0"})

    assert message_texts(response) == [
        "Quantity '0' is invalid; enter a whole number from 1 to 999."
    ]
    assert sale_lines(staff_client) == []


def test_counter_remove_line(staff_client, hoodie):
    staff_client.post("/counter/add/", {"code": "HOOD-M", "quantity": "1"})

    staff_client.post("/counter/remove/", {"variant_id": str(hoodie.pk)})

    assert sale_lines(staff_client) == []


def test_counter_customer_found_by_phone(staff_client, db):
    customer = CustomerFactory(phone="(902) 555-0101")

    staff_client.post("/counter/customer/", {"action": "find", "query": "902 555 0101"})

    assert staff_client.session["counter_sale"]["customer_id"] == customer.pk


def test_counter_new_customer_matches_email(staff_client, db):
    customer = CustomerFactory(email="robin@example.com")

    staff_client.post(
        "/counter/customer/",
        {"action": "create", "name": "Robin", "email": " Robin@Example.com "},
    )

    assert staff_client.session["counter_sale"]["customer_id"] == customer.pk
    assert Customer.objects.count() == 1


def test_counter_new_customer_created(staff_client, db):
    staff_client.post(
        "/counter/customer/",
        {
            "action": "create",
            "name": "Sam Leblanc",
            "email": "sam@example.com",
            "phone": "902-555-0199",
        },
    )

    customer_id = staff_client.session["counter_sale"]["customer_id"]
    customer = Customer.objects.get(pk=customer_id)
    assert (customer.first_name, customer.last_name) == ("Sam", "Leblanc")
    assert (customer.email, customer.phone) == ("sam@example.com", "902-555-0199")


def test_counter_cash_sale_shows_receipt(staff_client, hoodie):
    staff_client.post("/counter/add/", {"code": "HOOD-M", "quantity": "1"})
    key = staff_client.session["counter_sale"]["client_key"]

    response = staff_client.post(
        "/counter/pay/",
        {"client_key": key, "method": "cash", "amount_tendered": "60.00"},
        follow=True,
    )

    order = Order.objects.get()
    assert response.redirect_chain == [(f"/counter/receipts/{order.number}/", 302)]
    html = response.content.decode()
    assert "$59.28" in html
    assert "$59.30" in html
    assert 'Change</td><td class="num">$0.70' in html
    assert sale_lines(staff_client) == []
    assert staff_client.session["counter_sale"]["client_key"] != key


def test_counter_double_submit_one_sale(staff_client, hoodie):
    staff_client.post("/counter/add/", {"code": "HOOD-M", "quantity": "1"})
    key = staff_client.session["counter_sale"]["client_key"]
    data = {"client_key": key, "method": "debit"}

    first = staff_client.post("/counter/pay/", data)
    second = staff_client.post("/counter/pay/", data)

    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1
    assert Stock.objects.get(variant=hoodie).quantity_on_hand == 4


def test_counter_short_cash_keeps_sale(staff_client, hoodie):
    staff_client.post("/counter/add/", {"code": "HOOD-M", "quantity": "1"})
    key = staff_client.session["counter_sale"]["client_key"]

    response = staff_client.post(
        "/counter/pay/",
        {"client_key": key, "method": "cash", "amount_tendered": "abc"},
    )

    assert message_texts(response) == [
        "Cash tendered 'abc' is not an amount; enter dollars and cents, such as 60.00."
    ]
    assert sale_lines(staff_client) == [[hoodie.pk, 1]]
    assert staff_client.session["counter_sale"]["tendered"] == "abc"
    assert Order.objects.count() == 0


def test_counter_sold_elsewhere_refused(staff_client, hoodie):
    staff_client.post("/counter/add/", {"code": "HOOD-M", "quantity": "2"})
    key = staff_client.session["counter_sale"]["client_key"]
    Stock.objects.filter(variant=hoodie).update(quantity_allocated=4)

    response = staff_client.post(
        "/counter/pay/", {"client_key": key, "method": "debit"}
    )

    assert message_texts(response) == [
        "Harbour Hoodie M (HOOD-M): 2 rung up but only 1 available; "
        "lower the quantity or remove it."
    ]
    assert sale_lines(staff_client) == [[hoodie.pk, 2]]
    assert Order.objects.count() == 0


def test_counter_needs_staff(client, db):
    user = get_user_model().objects.create_user("shopper")
    client.force_login(user)

    response = client.get("/counter/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
