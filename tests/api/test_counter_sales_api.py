"""POST /api/counter-sales/: sales from an outside point-of-sale terminal."""

import time
from decimal import Decimal

import pytest
from django.core import mail

from accounting.models import Invoice, JournalEntry
from inventory.models import Stock, StockMovement
from inventory.services import set_opening_stock
from orders import counter
from orders.models import Order, Payment
from shop.models import Customer
from shop.roles import ACCOUNTING, INVENTORY, MANAGER
from tests.accounting.ledger_setup import entry_lines
from tests.api.conftest import client_for
from tests.api.device_setup import permission_client, role_client
from tests.factories.shop import CustomerFactory, ProductFactory, VariantFactory
from tests.orders.test_concurrency import run_together

URL = "/api/counter-sales/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def hoodie(settings):
    """A $52.00 hoodie costing $20.00, 5 on the shelf, sold in Nova Scotia."""
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


@pytest.fixture
def terminal():
    return permission_client("orders.add_order")


def cash_sale(**fields):
    return {
        "lines": [{"code": "HOOD-M", "quantity": 1}],
        "payment_method": "cash",
        "amount_tendered": "60.00",
        **fields,
    }


def post_sale(client, body, key="till-1-0001"):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(URL, body, format="json", headers=headers)


def sales():
    return Order.objects.filter(channel=Order.Channel.IN_STORE)


def counter_movements():
    return StockMovement.objects.filter(kind=StockMovement.Kind.IN_STORE_SALE)


def test_cash_sale_returns_receipt(hoodie, terminal):
    client, _user = terminal

    response = post_sale(client, cash_sale())

    assert response.status_code == 201
    order = sales().get()
    assert response.json() == {
        "order_number": order.number,
        "status": "completed",
        "channel": "in_store",
        "paid_at": response.json()["paid_at"],
        "customer_email": "",
        "lines": [
            {
                "sku": "HOOD-M",
                "name": "Harbour Hoodie",
                "options": "M",
                "quantity": 1,
                "unit_price": "52.00",
                "subtotal_amount": "52.00",
                "tax_amount": "7.28",
            }
        ],
        "taxes": [{"code": "HST", "name": "HST", "rate": "0.14000", "amount": "7.28"}],
        "subtotal_amount": "52.00",
        "tax_amount": "7.28",
        "total_amount": "59.28",
        "cash_rounding_amount": "0.02",
        "payment": {
            "method": "cash",
            "amount": "59.30",
            "amount_tendered": "60.00",
            "change_amount": "0.70",
        },
        "invoice_number": Invoice.objects.get(order=order).number,
    }
    assert response.json()["paid_at"] is not None


def test_cash_sale_takes_stock_at_once(hoodie, terminal):
    client, user = terminal

    post_sale(client, cash_sale())

    stock = Stock.objects.get(variant=hoodie)
    assert (stock.quantity_on_hand, stock.value_amount) == (4, Decimal("80.00"))
    movement = counter_movements().get()
    assert (movement.quantity, movement.value_amount) == (-1, Decimal("-20.00"))
    assert movement.created_by == user


def test_cash_sale_posts_sale_and_cost(hoodie, terminal):
    client, _user = terminal

    post_sale(client, cash_sale())

    order = sales().get()
    sale = JournalEntry.objects.get(event_key=f"sale:order:{order.pk}")
    assert entry_lines(sale) == [
        ("cash_drawer", Decimal("59.30"), Decimal("0.00")),
        ("sales_in_store", Decimal("0.00"), Decimal("52.00")),
        ("gst_hst_payable", Decimal("0.00"), Decimal("7.28")),
        ("cash_rounding", Decimal("0.00"), Decimal("0.02")),
    ]
    cost = JournalEntry.objects.get(stock_movement=counter_movements().get())
    assert entry_lines(cost) == [
        ("inventory", Decimal("0.00"), Decimal("20.00")),
        ("cost_of_goods_sold", Decimal("20.00"), Decimal("0.00")),
    ]


def test_card_sale_by_barcode_adds_quantities(hoodie, terminal):
    client, _user = terminal
    body = {
        "lines": [
            {"code": "0062345000017", "quantity": 1},
            {"code": "hood-m", "quantity": 2},
        ],
        "payment_method": "card_terminal",
        "amount_tendered": "500.00",
    }

    response = post_sale(client, body)

    assert response.status_code == 201
    assert response.json()["lines"][0]["quantity"] == 3
    assert response.json()["total_amount"] == "177.84"
    assert response.json()["payment"] == {
        "method": "card_terminal",
        "amount": "177.84",
        "amount_tendered": None,
        "change_amount": None,
    }
    assert Stock.objects.get(variant=hoodie).quantity_on_hand == 2


def test_sale_to_known_customer_emails_invoice(
    hoodie, terminal, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(email="robin@example.com")
    client, _user = terminal

    with django_capture_on_commit_callbacks(execute=True):
        response = post_sale(
            client,
            cash_sale(customer_email="Robin@Example.com", payment_method="debit"),
        )

    assert response.json()["customer_email"] == "robin@example.com"
    assert sales().get().customer == customer
    assert [message.to for message in mail.outbox] == [["robin@example.com"]]


def test_sale_to_new_email_adds_customer(hoodie, terminal):
    client, _user = terminal

    post_sale(
        client,
        cash_sale(customer_email="sam@example.com", customer_name="Sam Leblanc"),
    )

    customer = Customer.objects.get(email="sam@example.com")
    assert (customer.first_name, customer.last_name) == ("Sam", "Leblanc")
    assert sales().get().customer == customer


def test_same_key_and_sale_recorded_once(hoodie, terminal):
    client, _user = terminal

    first = post_sale(client, cash_sale())
    retry = post_sale(client, cash_sale())

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert sales().count() == 1
    assert counter_movements().count() == 1
    assert Invoice.objects.count() == 1
    assert Payment.objects.count() == 1
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.SALE).count() == 1
    assert Stock.objects.get(variant=hoodie).quantity_on_hand == 4


def test_same_key_other_sale_is_rejected(hoodie, terminal):
    client, _user = terminal
    first = post_sale(client, cash_sale())
    other = cash_sale(
        lines=[{"code": "HOOD-M", "quantity": 2}],
        amount_tendered="120.00",
    )

    response = post_sale(client, other)

    number = first.json()["order_number"]
    assert response.status_code == 422
    assert response.json() == {
        "detail": (
            f"Idempotency-Key 'till-1-0001' was used for sale {number}, which "
            "differs in lines, amount_tendered; send a new key for a new sale, "
            f"or resend sale {number} unchanged."
        )
    }
    assert sales().count() == 1
    assert Stock.objects.get(variant=hoodie).quantity_on_hand == 4


def test_same_key_other_payment_is_rejected(hoodie, terminal):
    client, _user = terminal
    post_sale(client, cash_sale())

    response = post_sale(client, cash_sale(payment_method="debit"))

    assert response.status_code == 422
    assert "which differs in payment_method;" in response.json()["detail"]


def test_sale_without_key_is_rejected(hoodie, terminal):
    client, _user = terminal

    response = post_sale(client, cash_sale(), key=None)

    assert response.status_code == 400
    assert response.json() == {
        "Idempotency-Key": [
            "The Idempotency-Key header is missing; send a new random key for "
            "each request, such as a UUID, and the same key when retrying it."
        ]
    }
    assert not sales().exists()


def test_sale_unknown_code_is_rejected(hoodie, terminal):
    client, _user = terminal
    lines = [{"code": "HOOD-M", "quantity": 1}, {"code": "SCARF-9", "quantity": 1}]

    response = post_sale(client, cash_sale(lines=lines))

    assert response.status_code == 400
    assert response.json() == {
        "lines": [
            "Line 2: no item on sale has barcode or SKU 'SCARF-9'; scan it again "
            "or type the SKU from the label."
        ]
    }
    assert not sales().exists()


def test_sale_over_available_is_rejected(hoodie, terminal):
    # Paid online orders have 4 of the 5 units allocated.
    Stock.objects.filter(variant=hoodie).update(quantity_allocated=4)
    client, _user = terminal

    response = post_sale(
        client,
        cash_sale(lines=[{"code": "HOOD-M", "quantity": 2}], amount_tendered="120"),
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "Harbour Hoodie M (HOOD-M): 2 rung up but only 1 available; lower the "
            "quantity or remove it."
        ]
    }
    assert not sales().exists()
    assert not counter_movements().exists()


def test_failed_sale_adds_no_customer(hoodie, terminal):
    Stock.objects.filter(variant=hoodie).update(quantity_allocated=5)
    client, _user = terminal

    response = post_sale(client, cash_sale(customer_email="sam@example.com"))

    assert response.status_code == 400
    assert not Customer.objects.filter(email="sam@example.com").exists()


def test_cash_sale_without_tendered_is_rejected(hoodie, terminal):
    client, _user = terminal

    response = post_sale(client, cash_sale(amount_tendered=None))

    assert response.status_code == 400
    assert response.json() == {
        "amount_tendered": [
            'A cash sale needs amount_tendered, the cash handed over, such as "60.00".'
        ]
    }


def test_cash_short_of_total_is_rejected(hoodie, terminal):
    client, _user = terminal

    response = post_sale(client, cash_sale(amount_tendered="50.00"))

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "Cash tendered 50.00 is less than the cash total 59.30; enter the "
            "amount handed over."
        ]
    }
    assert Stock.objects.get(variant=hoodie).quantity_on_hand == 5


def test_online_payment_method_is_rejected(hoodie, terminal):
    client, _user = terminal

    response = post_sale(client, cash_sale(payment_method="card_online"))

    assert response.status_code == 400
    assert response.json() == {
        "payment_method": ['"card_online" is not a valid choice.']
    }


def test_zero_quantity_is_rejected(hoodie, terminal):
    client, _user = terminal

    response = post_sale(client, cash_sale(lines=[{"code": "HOOD-M", "quantity": 0}]))

    assert response.status_code == 400
    assert response.json() == {
        "lines": {
            "0": {
                "quantity": ["Enter 1 or more units; leave the line out to sell none."]
            }
        }
    }


@pytest.mark.parametrize("role", [ACCOUNTING, INVENTORY])
def test_sale_forbidden_without_add_order(hoodie, role):
    client, _user = role_client(role)

    response = post_sale(client, cash_sale())

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your account lacks the permission: orders.add_order."
    }
    assert not sales().exists()


def test_sale_by_manager_is_allowed(hoodie):
    client, _user = role_client(MANAGER)

    response = post_sale(client, cash_sale())

    assert response.status_code == 201


@pytest.fixture
def slow_sale_posting(monkeypatch):
    """Hold each sale's transaction open for half a second after posting,
    so a second request arrives before the first one commits."""
    post_in_store_sale = counter.post_in_store_sale

    def post_then_wait(**kwargs):
        entry = post_in_store_sale(**kwargs)
        time.sleep(0.5)
        return entry

    monkeypatch.setattr(counter, "post_in_store_sale", post_then_wait)


def post_twice_at_once(body):
    """Send `body` with one key from two clients of one terminal user, in
    two threads with their own database connections."""
    first_terminal, user = permission_client("orders.add_order")
    second_terminal = client_for(user)
    responses = []

    errors = run_together(
        lambda: responses.append(post_sale(first_terminal, body)),
        lambda: responses.append(post_sale(second_terminal, body)),
    )

    assert errors == []
    return responses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_same_sale_records_once(hoodie, slow_sale_posting):
    mug = VariantFactory(
        sku="MUG-OAT", price=Decimal("18.00"), unit_cost=Decimal("6.50")
    )
    set_opening_stock(variant=mug, quantity=5)
    body = cash_sale(
        lines=[{"code": "HOOD-M", "quantity": 1}, {"code": "MUG-OAT", "quantity": 2}],
        amount_tendered="110.00",
    )
    entries_before = JournalEntry.objects.count()

    responses = post_twice_at_once(body)

    assert sorted(response.status_code for response in responses) == [200, 201]
    numbers = {response.json()["order_number"] for response in responses}
    order = sales().get()
    assert numbers == {order.number}
    assert counter_movements().count() == 2
    assert Invoice.objects.filter(order=order).count() == 1
    assert Invoice.objects.count() == 1
    assert JournalEntry.objects.filter(event_key=f"sale:order:{order.pk}").count() == 1
    # The sale, and the cost of goods sold of each line.
    assert JournalEntry.objects.count() - entries_before == 3
    assert Stock.objects.get(variant=hoodie).quantity_on_hand == 4
    assert Stock.objects.get(variant=mug).quantity_on_hand == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_sale_of_last_units_replays(hoodie, slow_sale_posting):
    # Once the first sale commits, nothing is left for the second request
    # to sell, and it must still get the first sale rather than a 400.
    body = cash_sale(lines=[{"code": "HOOD-M", "quantity": 5}], amount_tendered="300")

    responses = post_twice_at_once(body)

    assert sorted(response.status_code for response in responses) == [200, 201]
    assert responses[0].json() == responses[1].json()
    assert sales().count() == 1
    assert counter_movements().count() == 1
    assert Stock.objects.get(variant=hoodie).quantity_on_hand == 0
