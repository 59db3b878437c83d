"""Build a packing slip's printable values from a Shipment."""

from django.conf import settings

from inventory.selectors import availability_for, bin_locations
from orders.models import Order, OrderLine

from .documents import BackorderLine, PackingSlip, SlipLine
from .models import Shipment


def packing_slip_for(shipment: Shipment) -> PackingSlip:
    """Collect what the packing slip of `shipment` prints.

    The backorder section lists each order line's units waiting for stock
    (`quantity_backordered`), with the expected ship date when the variant
    is still backorderable. Runs five queries.
    """
    order = shipment.order
    shipment_lines = list(shipment.lines.select_related("order_line"))
    backordered = [line for line in order.lines.all() if line.quantity_backordered]
    # TODO: units allocated to another parcel of the same order are not
    # listed; the slip only names what waits for stock.
    variant_ids = {line.order_line.variant_id for line in shipment_lines}
    bins = bin_locations(variant_id for variant_id in variant_ids if variant_id)

    return PackingSlip(
        shop_name=settings.SHOP_NAME,
        shop_address=tuple(settings.SHOP_ADDRESS),
        order_number=str(order.number),
        shipment_number=shipment.number,
        ship_to=ship_to_lines(order),
        lines=tuple(
            SlipLine(
                sku=line.order_line.sku,
                name=line.order_line.name,
                quantity=line.quantity,
                options=line.order_line.options,
                bin_location=bins.get(line.order_line.variant_id, ""),
            )
            for line in shipment_lines
        ),
        backorders=_backorder_lines(backordered),
    )


def ship_to_lines(order: Order) -> tuple[str, ...]:
    """Return the order's shipping address as printed lines, name first."""
    lines = [
        order.ship_name,
        order.ship_company,
        order.ship_line1,
        order.ship_line2,
        f"{order.ship_city} {order.ship_province} {order.ship_postal_code}",
    ]
    return tuple(line for line in lines if line)


def _backorder_lines(lines: list[OrderLine]) -> tuple[BackorderLine, ...]:
    variant_ids = {line.variant_id for line in lines if line.variant_id}
    availability = availability_for(variant_ids)
    backorders = []
    for line in lines:
        variant = availability.get(line.variant_id) if line.variant_id else None
        backorders.append(
            BackorderLine(
                sku=line.sku,
                name=line.name,
                quantity=line.quantity_backordered,
                expected_ship_date=variant.expected_ship_date if variant else None,
            )
        )
    return tuple(backorders)
