from datetime import date
from decimal import Decimal

import pytest

from fulfillment.documents import render_packing_slip
from fulfillment.models import Shipment, ShipmentLine
from fulfillment.slip_data import packing_slip_for
from inventory.models import Location, PurchaseOrder, PurchaseOrderLine, Stock
from tests.factories.inventory import StockFactory, SupplierFactory
from tests.factories.orders import OrderFactory, OrderLineFactory
from tests.factories.shop import VariantFactory

from .pdf_tools import page_barcodes, page_text

pytestmark = pytest.mark.django_db

EXPECTED_DATE = date(2099, 3, 13)


def make_shipment():
    """Ship 2 of 2 mugs (bin A-03-2) while 3 teapots wait for a purchase
    order expected on EXPECTED_DATE."""
    order = OrderFactory(paid=True, number=100042, ship_company="Tremblay Ceramics")
    mug = StockFactory(bin_location="A-03-2").variant
    teapot = StockFactory(quantity_on_hand=0).variant
    mug_line = OrderLineFactory(order=order, variant=mug, name="Mug", quantity=2)
    OrderLineFactory(
        order=order, variant=teapot, name="Teapot", quantity=3, quantity_backordered=3
    )
    purchase_order = PurchaseOrder.objects.create(
        number=900001,
        supplier=SupplierFactory(),
        status=PurchaseOrder.Status.SENT,
        expected_date=EXPECTED_DATE,
    )
    PurchaseOrderLine.objects.create(
        purchase_order=purchase_order,
        variant=teapot,
        quantity_ordered=3,
        unit_cost=Decimal("20.00"),
    )
    shipment = Shipment.objects.create(number="100042-1", order=order)
    ShipmentLine.objects.create(shipment=shipment, order_line=mug_line, quantity=2)
    return shipment


def test_slip_data_numbers_and_shop(settings):
    settings.SHOP_NAME = "Harbour Pottery"
    settings.SHOP_ADDRESS = ["1500 Barrington Street", "Halifax NS B3J 1Z7"]

    slip = packing_slip_for(make_shipment())

    assert slip.shop_name == "Harbour Pottery"
    assert slip.shop_address == ("1500 Barrington Street", "Halifax NS B3J 1Z7")
    assert slip.order_number == "100042"
    assert slip.shipment_number == "100042-1"


def test_slip_data_ship_to_lines():
    slip = packing_slip_for(make_shipment())

    assert slip.ship_to == (
        "Avery Tremblay",
        "Tremblay Ceramics",
        "5670 Spring Garden Road",
        "Halifax NS B3J 1H6",
    )


def test_slip_data_line_with_bin():
    shipment = make_shipment()
    mug = shipment.lines.get().order_line

    slip = packing_slip_for(shipment)

    assert len(slip.lines) == 1
    assert slip.lines[0].sku == mug.sku
    assert slip.lines[0].name == "Mug"
    assert slip.lines[0].quantity == 2
    assert slip.lines[0].bin_location == "A-03-2"


def test_slip_data_bin_from_default_location_only():
    shipment = make_shipment()
    mug = shipment.lines.get().order_line.variant
    Stock.objects.filter(variant=mug).update(
        location=Location.objects.create(code="warehouse", name="Warehouse")
    )

    slip = packing_slip_for(shipment)

    assert slip.lines[0].bin_location == ""


def test_slip_data_backorder_with_date():
    slip = packing_slip_for(make_shipment())

    assert len(slip.backorders) == 1
    assert slip.backorders[0].name == "Teapot"
    assert slip.backorders[0].quantity == 3
    assert slip.backorders[0].expected_ship_date == EXPECTED_DATE


def test_slip_data_backorder_of_deleted_variant():
    shipment = make_shipment()
    shipment.order.lines.filter(name="Teapot").update(variant=None)

    slip = packing_slip_for(shipment)

    assert slip.backorders[0].quantity == 3
    assert slip.backorders[0].expected_ship_date is None


def test_slip_data_no_backorders():
    order = OrderFactory(paid=True)
    line = OrderLineFactory(order=order, variant=VariantFactory(), quantity=1)
    shipment = Shipment.objects.create(number=f"{order.number}-1", order=order)
    ShipmentLine.objects.create(shipment=shipment, order_line=line, quantity=1)

    slip = packing_slip_for(shipment)

    assert slip.backorders == ()
    assert slip.lines[0].bin_location == ""


def test_slip_data_query_count(django_assert_num_queries):
    shipment = Shipment.objects.get(pk=make_shipment().pk)

    with django_assert_num_queries(5):
        packing_slip_for(shipment)


def test_slip_from_shipment_renders(tmp_path):
    slip = packing_slip_for(make_shipment())

    pdf = render_packing_slip(slip)

    assert "Still on backorder" in page_text(pdf)
    assert "Teapot\n3\nFriday 13 March 2099" in page_text(pdf)
    assert page_barcodes(pdf, tmp_path) == ["100042-1"]
