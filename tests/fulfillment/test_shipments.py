"""Shipments planned from allocations, shipped, and the customer notified."""

from decimal import Decimal

import pytest

from accounting.models import JournalEntry
from fulfillment import services
from fulfillment.documents_store import store_packing_slip
from fulfillment.models import Shipment
from fulfillment.tasks import send_tracking_email
from inventory.models import StockMovement
from orders.models import Order
from tests.factories.orders import OrderLineFactory
from tests.inventory.allocation_setup import paid_order, stock_of, stocked_variant

from .pdf_tools import page_text
from .shipment_setup import half_stocked_order, line_units, receive_all

pytestmark = pytest.mark.django_db

TRACKING_URL = (
    "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor="
)


def ship(shipment, tracking_number):
    return services.mark_shipped(
        shipment=shipment,
        carrier="canadapost",
        service_code="DOM.EP",
        service_name="Expedited Parcel",
        tracking_number=tracking_number,
        user=None,
    )


def test_payment_plans_shipment_of_stocked_line():
    order, _purchase_order = half_stocked_order()

    [shipment] = order.shipments.all()

    assert shipment.number == f"{order.number}-1"
    assert shipment.status == Shipment.Status.READY
    assert line_units(shipment) == [("MUG-OAT", 2)]


def test_packing_slip_lists_backorder_with_date():
    order, _purchase_order = half_stocked_order()
    shipment = order.shipments.get()

    store_packing_slip(shipment_id=shipment.pk)

    shipment.refresh_from_db()
    text = page_text(shipment.packing_slip_pdf.read())
    assert f"Shipment {order.number}-1\n" in text
    backorders = text.split("Expected to ship")[1]
    assert "MUG-OAT" not in backorders
    assert "POT-BLUE" in backorders
    assert "Friday 13 March 2099" in backorders


def test_packing_slip_render_twice_same_bytes():
    order, _purchase_order = half_stocked_order()
    shipment = order.shipments.get()

    first_name = store_packing_slip(shipment_id=shipment.pk)
    shipment.refresh_from_db()
    first = shipment.packing_slip_pdf.read()
    second_name = store_packing_slip(shipment_id=shipment.pk)
    shipment.refresh_from_db()

    assert second_name == first_name == f"packing-slips/{shipment.number}.pdf"
    assert shipment.packing_slip_pdf.read() == first


def test_receipt_plans_second_shipment():
    order, purchase_order = half_stocked_order()

    receive_all(purchase_order)

    first, second = order.shipments.order_by("pk")
    assert second.number == f"{order.number}-2"
    assert line_units(first) == [("MUG-OAT", 2)]
    assert line_units(second) == [("POT-BLUE", 3)]


def test_plan_shipments_twice_plans_nothing_new():
    order, _purchase_order = half_stocked_order()

    assert services.plan_shipments(order=order) == []

    assert order.shipments.count() == 1


def test_ship_available_flow_end_to_end(mailoutbox, django_capture_on_commit_callbacks):
    order, purchase_order = half_stocked_order()
    first = order.shipments.get()

    with django_capture_on_commit_callbacks(execute=True):
        ship(first, "1234 5678 9012 3456")
    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_SHIPPED
    receive_all(purchase_order)
    second = order.shipments.get(number=f"{order.number}-2")
    with django_capture_on_commit_callbacks(execute=True):
        ship(second, "9999000011112222")

    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    mug, teapot = (line.variant for line in order.lines.order_by("sku"))
    assert (stock_of(mug).quantity_on_hand, stock_of(mug).quantity_allocated) == (3, 0)
    assert stock_of(teapot).quantity_on_hand == 0
    movements = StockMovement.objects.filter(kind=StockMovement.Kind.SHIPMENT)
    cogs = sorted(
        line.debit
        for entry in JournalEntry.objects.filter(
            event_key__in=[f"stock:movement:{m.pk}" for m in movements]
        )
        for line in entry.lines.filter(account__key="cost_of_goods_sold")
    )
    assert cogs == [Decimal("13.00"), Decimal("63.00")]
    assert [message.subject for message in mailoutbox] == [
        f"Your order {order.number} is on its way ({order.number}-1)",
        f"Your order {order.number} is on its way ({order.number}-2)",
    ]
    assert TRACKING_URL + "1234567890123456" in mailoutbox[0].body
    assert TRACKING_URL + "9999000011112222" in mailoutbox[1].body


def test_mark_shipped_records_carrier_and_times():
    order, _purchase_order = half_stocked_order()

    shipment = ship(order.shipments.get(), "1234567890123456")

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.SHIPPED
    assert (shipment.carrier, shipment.service_code) == ("canadapost", "DOM.EP")
    assert shipment.service_name == "Expedited Parcel"
    assert shipment.tracking_number == "1234567890123456"
    assert shipment.shipped_at is not None


def test_tracking_email_sent_once(mailoutbox, django_capture_on_commit_callbacks):
    order, _purchase_order = half_stocked_order()
    with django_capture_on_commit_callbacks(execute=True):
        shipment = ship(order.shipments.get(), "1234567890123456")

    assert send_tracking_email.delay(shipment.pk).get() is False
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [order.email]


def test_mark_shipped_without_tracking_changes_nothing():
    order, _purchase_order = half_stocked_order()
    shipment = order.shipments.get()

    with pytest.raises(services.ShipmentError) as error:
        services.mark_shipped(
            shipment=shipment,
            carrier="canadapost",
            service_code="",
            service_name="",
            tracking_number="  ",
            user=None,
        )

    assert str(error.value) == (
        f"Shipment {shipment.number} has no tracking number; enter the one on its "
        "label."
    )
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.READY
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.SHIPMENT)


def test_mark_shipped_twice_rejected():
    order, _purchase_order = half_stocked_order()
    shipment = ship(order.shipments.get(), "1234567890123456")

    with pytest.raises(services.ShipmentError) as error:
        ship(shipment, "1234567890123456")

    assert str(error.value) == (
        f"Shipment {shipment.number} is shipped, so it cannot become shipped."
    )
    assert StockMovement.objects.filter(kind=StockMovement.Kind.SHIPMENT).count() == 1


def test_ship_together_waits_for_everything():
    order, purchase_order = half_stocked_order(
        shipping_preference=Order.ShippingPreference.SHIP_TOGETHER
    )
    assert not order.shipments.exists()

    receive_all(purchase_order)

    [shipment] = order.shipments.all()
    assert shipment.number == f"{order.number}-1"
    assert line_units(shipment) == [("MUG-OAT", 2), ("POT-BLUE", 3)]


def test_mark_delivered_delivers_order():
    order = paid_order([(stocked_variant(quantity=2), 2)])
    shipment = ship(order.shipments.get(), "1234567890123456")

    services.mark_delivered(shipment=shipment)

    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED


def test_unpaid_order_plans_nothing():
    line = OrderLineFactory(quantity=1, quantity_allocated=0)

    assert services.plan_shipments(order=line.order) == []
