"""Shipments ready for a label, for the label and tracking tests."""

from decimal import Decimal

from fulfillment.models import Shipment, ShipmentLine
from shipping.models import PackagingBox
from tests.factories.orders import OrderFactory, OrderLineFactory
from tests.factories.shop import VariantFactory


def make_box(**changes) -> PackagingBox:
    values = {
        "name": "Small carton",
        "inner_length_cm": Decimal("30.0"),
        "inner_width_cm": Decimal("25.0"),
        "inner_height_cm": Decimal("10.0"),
        "outer_length_cm": Decimal("31.0"),
        "outer_width_cm": Decimal("26.0"),
        "outer_height_cm": Decimal("11.0"),
        "empty_weight_g": 200,
        "max_weight_g": 30000,
    }
    return PackagingBox.objects.create(**(values | changes))


def make_shipment(
    *, quantity: int = 1, service: str = "DOM.EP", variant=None, **order_fields
) -> Shipment:
    """Make a READY shipment of `quantity` 800 g books to Halifax."""
    order = OrderFactory(
        paid=True,
        shipping_method=service,
        shipping_method_name="Expedited Parcel",
        **order_fields,
    )
    variant = variant or VariantFactory(
        weight_g=800,
        length_cm=Decimal("20.0"),
        width_cm=Decimal("15.0"),
        height_cm=Decimal("5.0"),
    )
    line = OrderLineFactory(order=order, variant=variant, quantity=quantity)
    shipment = Shipment.objects.create(number=f"{order.number}-1", order=order)
    ShipmentLine.objects.create(shipment=shipment, order_line=line, quantity=quantity)
    return shipment
