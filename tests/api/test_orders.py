import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounting.models import CreditNote, Invoice
from fulfillment.models import Shipment, ShipmentLine
from orders.models import Order, Payment, Refund
from shop.roles import FULFILLMENT, MANAGER
from tests.factories.orders import OrderFactory, order_with_lines
from tests.factories.shop import CustomerFactory, VariantFactory

ORDERS = "/api/orders/"
LONG_AGO = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def shipped_order(number: int = 500123) -> Order:
    """Create a paid order of 3 units at $20.00: 2 shipped by Canada Post,
    1 backordered, $10.00 refunded with a credit note.

    The invoice is number 9001 and the credit note 3001, each plus the
    order number's distance from 500123.
    """
    offset = number - 500123
    variant = VariantFactory(sku=f"TEE-{number}", price=Decimal("20.00"))
    order = order_with_lines(lines=[(variant, 3)], number=number, status="paid")
    line = order.lines.get()
    line.quantity_shipped = 2
    line.quantity_backordered = 1
    line.save()
    payment = Payment.objects.create(
        order=order,
        amount=order.total_amount,
        status=Payment.Status.SUCCEEDED,
        stripe_payment_intent_id=f"pi_{number}",
        card_brand="visa",
        card_last4="4242",
    )
    refund = Refund.objects.create(
        order=order,
        payment=payment,
        amount=Decimal("10.00"),
        status=Refund.Status.SUCCEEDED,
    )
    shipment = Shipment.objects.create(
        number=f"{number}-1",
        order=order,
        status=Shipment.Status.SHIPPED,
        carrier="canadapost",
        tracking_number="7023210039414604",
    )
    ShipmentLine.objects.create(shipment=shipment, order_line=line, quantity=2)
    invoice = Invoice.objects.create(
        number=9001 + offset,
        order=order,
        issued_at=timezone.now(),
        subtotal_amount=order.subtotal_amount,
        shipping_amount=order.shipping_amount,
        tax_amount=order.tax_amount,
        total_amount=order.total_amount,
    )
    CreditNote.objects.create(
        number=3001 + offset,
        invoice=invoice,
        order=order,
        refund=refund,
        issued_at=timezone.now(),
        subtotal_amount=Decimal("8.77"),
        shipping_amount=Decimal("0.00"),
        tax_amount=Decimal("1.23"),
        total_amount=Decimal("10.00"),
    )
    return order


@pytest.fixture
def manager(api_client_for):
    return api_client_for(MANAGER)


@pytest.mark.django_db
def test_order_shows_amounts_and_lines(manager):
    order = shipped_order()

    body = manager.get(f"{ORDERS}{order.pk}/").json()

    assert body["number"] == 500123
    assert body["currency"] == "CAD"
    assert body["subtotal_amount"] == "60.00"
    assert body["shipping_amount"] == "12.00"
    assert body["tax_amount"] == "10.08"
    assert body["total_amount"] == "82.08"
    assert body["ship_to"]["postal_code"] == "B3J 1H6"
    [line] = body["lines"]
    assert line["sku"] == "TEE-500123"
    assert line["quantity"] == 3
    assert line["quantity_shipped"] == 2
    assert line["quantity_backordered"] == 1
    assert line["quantity_allocated"] == 0
    assert body["taxes"] == [
        {
            "code": "HST",
            "name": "HST",
            "rate": "0.14000",
            "taxable_amount": "72.00",
            "amount": "10.08",
            "shipping_amount": "1.68",
        }
    ]


@pytest.mark.django_db
def test_order_shows_payments_refunds_documents(manager):
    order = shipped_order()

    body = manager.get(f"{ORDERS}{order.pk}/").json()

    assert [payment["amount"] for payment in body["payments"]] == ["82.08"]
    assert body["payments"][0]["card_last4"] == "4242"
    assert [refund["amount"] for refund in body["refunds"]] == ["10.00"]
    assert body["invoice"]["number"] == 9001
    assert body["invoice"]["total_amount"] == "82.08"
    assert [note["number"] for note in body["credit_notes"]] == [3001]
    assert body["credit_notes"][0]["total_amount"] == "10.00"


@pytest.mark.django_db
def test_order_shows_shipment_tracking(manager):
    order = shipped_order()

    [shipment] = manager.get(f"{ORDERS}{order.pk}/").json()["shipments"]

    assert shipment["number"] == "500123-1"
    assert shipment["status"] == "shipped"
    assert shipment["tracking_number"] == "7023210039414604"
    assert shipment["tracking_url"] == (
        "https://www.canadapost-postescanada.ca/track-reperage/en#/search"
        "?searchFor=7023210039414604"
    )
    assert shipment["lines"] == [{"order_line": order.lines.get().pk, "quantity": 2}]


@pytest.mark.django_db
def test_uninvoiced_order_has_null_invoice(manager):
    order = OrderFactory()

    body = manager.get(f"{ORDERS}{order.pk}/").json()

    assert body["invoice"] is None
    assert body["credit_notes"] == []


@pytest.mark.django_db
def test_fulfillment_sees_only_permitted_sections(api_client_for):
    order = shipped_order()
    client = api_client_for(FULFILLMENT)

    body = client.get(f"{ORDERS}{order.pk}/").json()

    assert body["lines"][0]["quantity_shipped"] == 2
    assert body["shipments"][0]["tracking_number"] == "7023210039414604"
    for section in ("taxes", "payments", "refunds", "invoice", "credit_notes"):
        assert section not in body


@pytest.mark.django_db
def test_order_filter_by_status_and_channel(manager):
    OrderFactory(number=1, status=Order.Status.PAID)
    OrderFactory(number=2, status=Order.Status.SHIPPED)
    OrderFactory(number=3, status=Order.Status.PAID, channel=Order.Channel.IN_STORE)
    OrderFactory(number=4, status=Order.Status.CANCELLED)

    response = manager.get(ORDERS, {"status": ["paid", "shipped"], "channel": "online"})

    assert [row["number"] for row in response.json()["results"]] == [2, 1]


@pytest.mark.django_db
def test_order_filter_names_bad_status(manager):
    response = manager.get(ORDERS, {"status": "lost"})

    assert response.status_code == 400
    assert response.json() == {
        "status": ["Select a valid choice. lost is not one of the available choices."]
    }


@pytest.mark.django_db
def test_order_filter_by_email_ignores_case(manager):
    customer = CustomerFactory(email="avery@example.com")
    OrderFactory(number=1, customer=customer, email="avery@example.com")
    OrderFactory(number=2, customer=customer, email="gift@example.com")
    OrderFactory(number=3)

    response = manager.get(ORDERS, {"email": " Avery@Example.COM "})

    assert [row["number"] for row in response.json()["results"]] == [2, 1]


@pytest.mark.django_db
def test_order_filter_by_created_range(manager):
    for number, day in ((1, 1), (2, 2), (3, 3)):
        order = OrderFactory(number=number)
        Order.objects.filter(pk=order.pk).update(
            created_at=datetime.datetime(2026, 5, day, 12, tzinfo=datetime.UTC)
        )

    response = manager.get(
        ORDERS,
        {
            "created_after": "2026-05-02T00:00:00Z",
            "created_before": "2026-05-03T00:00:00Z",
        },
    )

    assert [row["number"] for row in response.json()["results"]] == [2]


@pytest.mark.django_db
def test_order_updated_since_includes_shipment_change(manager):
    order = shipped_order()
    OrderFactory(number=2)
    Order.objects.update(updated_at=LONG_AGO)
    Shipment.objects.update(updated_at=LONG_AGO)
    Payment.objects.update(created_at=LONG_AGO)
    Refund.objects.update(created_at=LONG_AGO)
    Invoice.objects.update(issued_at=LONG_AGO)
    CreditNote.objects.update(issued_at=LONG_AGO)
    since = timezone.now()

    shipment = order.shipments.get()
    shipment.status = Shipment.Status.DELIVERED
    shipment.save()
    response = manager.get(ORDERS, {"updated_since": since.isoformat()})

    assert [row["number"] for row in response.json()["results"]] == [500123]


@pytest.mark.django_db
def test_order_updated_since_skips_unchanged(manager):
    shipped_order()
    Order.objects.update(updated_at=LONG_AGO)
    Shipment.objects.update(updated_at=LONG_AGO)
    Payment.objects.update(updated_at=LONG_AGO)
    Refund.objects.update(updated_at=LONG_AGO)
    Invoice.objects.update(issued_at=LONG_AGO)
    CreditNote.objects.update(issued_at=LONG_AGO)

    response = manager.get(ORDERS, {"updated_since": "2021-01-01T00:00:00Z"})

    assert response.json()["results"] == []


@pytest.mark.django_db
def test_order_ordering_by_total(manager):
    OrderFactory(number=1, total_amount=Decimal("30.00"))
    OrderFactory(number=2, total_amount=Decimal("10.00"))
    OrderFactory(number=3, total_amount=Decimal("20.00"))

    response = manager.get(ORDERS, {"ordering": "total_amount"})

    assert [row["number"] for row in response.json()["results"]] == [2, 3, 1]


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", [1, 4])
def test_order_page_query_count_is_fixed(manager, django_assert_num_queries, page_size):
    for number in range(500123, 500127):
        shipped_order(number)

    # Token, permissions (2), count, orders with invoices, then lines,
    # taxes, payments, refunds, shipments, shipment lines, credit notes.
    with django_assert_num_queries(12):
        response = manager.get(ORDERS, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
