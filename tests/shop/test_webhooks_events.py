"""Events emitted by the services that own them, sent to a real receiver.

Tests run in pytest-django's db fixture, whose transaction never commits,
so the `committed` fixture runs a block in a transaction and then its
on-commit callbacks, as a commit would, with Celery tasks eager.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from accounting.models import Invoice
from fulfillment import services as fulfillment_services
from fulfillment.models import Shipment
from inventory.models import StockMovement
from inventory.services import adjust_stock, set_opening_stock_many
from orders.counter import CounterLine, record_counter_sale
from orders.services import record_payment
from shop.models import WebhookDelivery, WebhookEvent
from shop.webhooks import emit, format_timestamp
from tests.factories.shop import VariantFactory
from tests.fixtures.webhook_receiver import verify
from tests.inventory.allocation_setup import succeeded_intent

from .webhook_setup import (
    ORDER_NUMBER,
    SECRET,
    deliveries_of,
    make_endpoint,
    pay,
    stocked_variant,
    unpaid_order,
)

pytestmark = pytest.mark.django_db

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
PIN = "7023210039414604"


@pytest.fixture
def order(committed):
    with committed():
        return unpaid_order()


def test_order_paid_signed_with_endpoint_secret(
    order, committed, localstripe, webhook_receiver
):
    endpoint = make_endpoint(webhook_receiver.url, WebhookEvent.ORDER_PAID)

    with committed():
        pay(order)

    [request] = webhook_receiver.requests
    delivery = WebhookDelivery.objects.get()
    assert verify(request, SECRET)
    assert not verify(request, "whsec_another-secret")
    assert request.path == "/hooks"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Ledgerfront-Event"] == "order.paid"
    assert request.headers["Ledgerfront-Event-Id"] == str(delivery.event_id)
    assert request.headers["Ledgerfront-Delivery-Id"] == str(delivery.pk)
    assert delivery.endpoint == endpoint
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 1
    assert delivery.response_status == 204


def test_order_paid_payload_exact(order, committed, localstripe, webhook_receiver):
    make_endpoint(webhook_receiver.url, WebhookEvent.ORDER_PAID)

    with committed():
        pay(order)

    [request] = webhook_receiver.requests
    payload = request.json
    assert set(payload) == {"id", "type", "created", "data"}
    assert payload["id"] == request.headers["Ledgerfront-Event-Id"]
    assert payload["type"] == "order.paid"
    assert TIMESTAMP.match(payload["created"])
    assert payload["data"] == {
        "order": {
            "number": ORDER_NUMBER,
            "status": "paid",
            "channel": "online",
            "currency": "CAD",
            "paid_at": format_timestamp(order.paid_at),
            "shipping_method": "standard",
            "subtotal_amount": "56.00",
            "shipping_amount": "12.00",
            "tax_amount": "9.52",
            "total_amount": "77.52",
            "cash_rounding_amount": "0.00",
            "taxes": [
                {"code": "HST", "name": "HST", "rate": "0.14000", "amount": "9.52"}
            ],
            "lines": [
                {
                    "sku": "MUG-BLUE",
                    "name": "Harbour Mug",
                    "options": "Blue, 350 ml",
                    "quantity": 2,
                    "unit_price": "18.50",
                    "subtotal_amount": "37.00",
                    "tax_amount": "0.00",
                },
                {
                    "sku": "TOWEL-01",
                    "name": "Lighthouse Tea Towel",
                    "options": "",
                    "quantity": 1,
                    "unit_price": "19.00",
                    "subtotal_amount": "19.00",
                    "tax_amount": "0.00",
                },
            ],
        }
    }


def test_counter_sale_emits_order_paid(committed, webhook_receiver, settings):
    settings.SHOP_STORE_PROVINCE = "NS"
    with committed():
        hoodie = stocked_variant("HOOD-M", "Harbour Hoodie", "52.00", on_hand=5)
    make_endpoint(webhook_receiver.url, WebhookEvent.ORDER_PAID)
    clerk = get_user_model().objects.create_user("clerk", is_staff=True)

    with committed():
        order = record_counter_sale(
            lines=[CounterLine(hoodie.pk, 1)],
            customer=None,
            payment_method="cash",
            amount_tendered=Decimal("60.00"),
            client_key="till-1",
            user=clerk,
        )

    [request] = webhook_receiver.requests
    data = request.json["data"]["order"]
    assert data["number"] == order.number
    assert (data["status"], data["channel"]) == ("completed", "in_store")
    assert data["shipping_method"] == "in_store"
    assert data["subtotal_amount"] == "52.00"
    assert data["tax_amount"] == "7.28"
    assert data["total_amount"] == "59.28"
    assert data["cash_rounding_amount"] == "0.02"
    assert data["taxes"] == [
        {"code": "HST", "name": "HST", "rate": "0.14000", "amount": "7.28"}
    ]
    assert [(line["sku"], line["quantity"]) for line in data["lines"]] == [
        ("HOOD-M", 1)
    ]


def test_invoice_issued_payload_exact(
    order, committed, localstripe, webhook_receiver, settings
):
    settings.SHOP_BASE_URL = "https://shop.example.ca/"
    make_endpoint(webhook_receiver.url, WebhookEvent.INVOICE_ISSUED)

    with committed():
        pay(order)

    [request] = webhook_receiver.requests
    invoice = Invoice.objects.get(order=order)
    assert request.headers["Ledgerfront-Event"] == "invoice.issued"
    assert request.json["data"] == {
        "invoice": {
            "number": 1,
            "order_number": ORDER_NUMBER,
            "issued_at": format_timestamp(invoice.issued_at),
            "paid_at": format_timestamp(order.paid_at),
            "currency": "CAD",
            "subtotal_amount": "56.00",
            "shipping_amount": "12.00",
            "tax_amount": "9.52",
            "total_amount": "77.52",
            "pdf_url": (
                f"https://shop.example.ca/orders/{order.access_token}/invoice.pdf"
            ),
        }
    }


def test_order_shipped_payload_exact(order, committed, localstripe, webhook_receiver):
    with committed():
        pay(order)
    make_endpoint(webhook_receiver.url, WebhookEvent.ORDER_SHIPPED)
    shipment = Shipment.objects.get(order=order)

    with committed():
        fulfillment_services.mark_shipped(
            shipment=shipment,
            carrier="canadapost",
            service_code="DOM.EP",
            service_name="Expedited Parcel",
            tracking_number=PIN,
            user=None,
        )

    [request] = webhook_receiver.requests
    shipment.refresh_from_db()
    assert request.headers["Ledgerfront-Event"] == "order.shipped"
    assert request.json["data"] == {
        "order": {"number": ORDER_NUMBER, "status": "shipped"},
        "shipment": {
            "number": f"{ORDER_NUMBER}-1",
            "carrier": "canadapost",
            "service_code": "DOM.EP",
            "service_name": "Expedited Parcel",
            "tracking_number": PIN,
            "tracking_url": (
                "https://www.canadapost-postescanada.ca/track-reperage/en"
                f"#/search?searchFor={PIN}"
            ),
            "shipped_at": format_timestamp(shipment.shipped_at),
            "lines": [
                {
                    "sku": "MUG-BLUE",
                    "name": "Harbour Mug",
                    "options": "Blue, 350 ml",
                    "quantity": 2,
                },
                {
                    "sku": "TOWEL-01",
                    "name": "Lighthouse Tea Towel",
                    "options": "",
                    "quantity": 1,
                },
            ],
        },
    }


def test_rolled_back_payment_sends_nothing(
    order, django_capture_on_commit_callbacks, webhook_receiver
):
    make_endpoint(webhook_receiver.url)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError, match="ledger check failed"),
        transaction.atomic(),
    ):
        record_payment(order_id=order.pk, payment_intent=succeeded_intent(order))
        raise RuntimeError("ledger check failed")

    assert callbacks == []
    assert WebhookDelivery.objects.count() == 0
    assert webhook_receiver.requests == []


def test_one_event_id_for_every_endpoint(
    order, committed, localstripe, webhook_receiver
):
    first = make_endpoint(webhook_receiver.url, WebhookEvent.ORDER_PAID, name="ERP")
    second = make_endpoint(webhook_receiver.url, WebhookEvent.ORDER_PAID, name="BI")

    with committed():
        pay(order)

    deliveries = deliveries_of(WebhookEvent.ORDER_PAID)
    requests = webhook_receiver.requests
    assert [delivery.endpoint for delivery in deliveries] == [first, second]
    assert deliveries[0].event_id == deliveries[1].event_id
    assert len(requests) == 2
    assert {request.headers["Ledgerfront-Event-Id"] for request in requests} == {
        str(deliveries[0].event_id)
    }
    assert {request.headers["Ledgerfront-Delivery-Id"] for request in requests} == {
        str(deliveries[0].pk),
        str(deliveries[1].pk),
    }


def test_endpoint_gets_subscribed_events_only(
    order, committed, localstripe, webhook_receiver
):
    make_endpoint(webhook_receiver.url, WebhookEvent.INVOICE_ISSUED)
    make_endpoint(webhook_receiver.url, name="Switched off", is_active=False)

    with committed():
        pay(order)

    assert [request.event_type for request in webhook_receiver.requests] == [
        "invoice.issued"
    ]
    assert WebhookDelivery.objects.count() == 1


def test_stock_changed_once_per_stock(committed, localstripe, webhook_receiver):
    with committed():
        mug = stocked_variant("MUG-BLUE", "Harbour Mug", "18.50", on_hand=10)
        towel = stocked_variant("TOWEL-01", "Lighthouse Tea Towel", "19.00", on_hand=4)
        order = unpaid_order(lines=[(mug, 2), (mug, 1), (towel, 1)])
    make_endpoint(webhook_receiver.url, WebhookEvent.STOCK_CHANGED)

    with committed():
        pay(order)

    allocations = StockMovement.objects.filter(kind=StockMovement.Kind.ALLOCATION)
    assert allocations.filter(stock__variant=mug).count() == 2
    last_movement = {
        sku: allocations.filter(stock__variant__sku=sku).latest("pk").pk
        for sku in ("MUG-BLUE", "TOWEL-01")
    }
    stocks = sorted(
        (request.json["data"]["stock"] for request in webhook_receiver.requests),
        key=lambda stock: stock["sku"],
    )
    assert stocks == [
        {
            "sku": "MUG-BLUE",
            "location": "shop",
            "quantity_on_hand": 10,
            "quantity_allocated": 3,
            "quantity_available": 7,
            "movement_id": last_movement["MUG-BLUE"],
        },
        {
            "sku": "TOWEL-01",
            "location": "shop",
            "quantity_on_hand": 4,
            "quantity_allocated": 1,
            "quantity_available": 3,
            "movement_id": last_movement["TOWEL-01"],
        },
    ]
    assert len(deliveries_of(WebhookEvent.STOCK_CHANGED)) == 2


def test_stock_changed_after_savepoint_rollback(committed, webhook_receiver):
    with committed():
        mug = stocked_variant("MUG-BLUE", "Harbour Mug", "18.50", on_hand=10)
        towel = stocked_variant("TOWEL-01", "Lighthouse Tea Towel", "19.00", on_hand=4)
    make_endpoint(webhook_receiver.url, WebhookEvent.STOCK_CHANGED)

    with committed():
        adjust_stock(variant=mug, quantity_change=1, reason="Found", user=None)
        with pytest.raises(RuntimeError), transaction.atomic():
            adjust_stock(variant=towel, quantity_change=2, reason="Found", user=None)
            raise RuntimeError("count abandoned")
        adjust_stock(variant=towel, quantity_change=3, reason="Found", user=None)

    stocks = {
        stock["sku"]: stock
        for stock in (
            request.json["data"]["stock"] for request in webhook_receiver.requests
        )
    }
    last_towel_movement = StockMovement.objects.filter(stock__variant=towel).latest(
        "pk"
    )
    assert len(webhook_receiver.requests) == 2
    assert stocks["MUG-BLUE"]["quantity_on_hand"] == 11
    assert stocks["TOWEL-01"]["quantity_on_hand"] == 7
    assert stocks["TOWEL-01"]["movement_id"] == last_towel_movement.pk
    assert len(deliveries_of(WebhookEvent.STOCK_CHANGED)) == 2


def test_stock_changed_after_uncommitted_setup(committed, webhook_receiver):
    mug = stocked_variant("MUG-BLUE", "Harbour Mug", "18.50", on_hand=10)
    make_endpoint(webhook_receiver.url, WebhookEvent.STOCK_CHANGED)

    with committed():
        adjust_stock(variant=mug, quantity_change=-3, reason="Broken", user=None)

    [request] = webhook_receiver.requests
    assert request.json["data"]["stock"]["quantity_on_hand"] == 7


def test_stock_changed_per_transaction(committed, webhook_receiver):
    with committed():
        mug = stocked_variant("MUG-BLUE", "Harbour Mug", "18.50", on_hand=10)
    make_endpoint(webhook_receiver.url, WebhookEvent.STOCK_CHANGED)

    for change in (-1, -2):
        with committed():
            adjust_stock(
                variant=mug, quantity_change=change, reason="Broken", user=None
            )

    first, second = (
        request.json["data"]["stock"] for request in webhook_receiver.requests
    )
    assert (first["quantity_on_hand"], second["quantity_on_hand"]) == (9, 7)
    assert first["movement_id"] < second["movement_id"]


def test_bulk_opening_stock_emits_per_stock(committed, webhook_receiver):
    mug = VariantFactory(sku="MUG-BLUE")
    towel = VariantFactory(sku="TOWEL-01")
    make_endpoint(webhook_receiver.url, WebhookEvent.STOCK_CHANGED)

    with committed():
        set_opening_stock_many(quantities={mug.pk: 6, towel.pk: 0})

    [request] = webhook_receiver.requests
    stock = request.json["data"]["stock"]
    assert stock["sku"] == "MUG-BLUE"
    assert stock["quantity_on_hand"] == 6
    assert stock["quantity_available"] == 6


def test_emit_unknown_event_rejected():
    with pytest.raises(ValueError, match=r"'order\.refunded' is unknown"):
        emit("order.refunded", {})

    assert WebhookDelivery.objects.count() == 0
