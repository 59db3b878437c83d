"""Checks and packing done before a label is bought for a shipment.

A shipment is one parcel: its units are packed into the smallest fitting
active PackagingBox, and the box's outer size and the total weight go on
the label. Each problem staff must fix raises LabelInputError with a
message naming the value and the fix.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from orders.models import OrderLine
from orders.packaging import Packaging, category_packaging
from shipping.models import PackagingBox
from shipping.packing import Box, pack_items
from shipping.parcels import MAX_PARCEL_WEIGHT_KG, ParcelItem

from .models import Shipment

MAX_PARCEL_WEIGHT_G = int(MAX_PARCEL_WEIGHT_KG * 1000)

# Xpresspost and Priority go by courier, which does not deliver to post
# office boxes.
COURIER_SERVICES = frozenset({"DOM.XP", "DOM.PC"})
PO_BOX = re.compile(
    r"\b(?:P\.?\s?O\.?\s?Box|Post\s+Office\s+Box|Case\s+postale|C\.\s?P\.|CP(?=\s*\d))",
    re.IGNORECASE,
)


class LabelInputError(ValueError):
    """A shipment cannot get a label until staff fix what the message names."""


@dataclass(frozen=True)
class PackedShipment:
    """The box a shipment goes in, its outer size and the total weight."""

    box: PackagingBox
    weight_g: int
    length_cm: Decimal
    width_cm: Decimal
    height_cm: Decimal


def pack_shipment(shipment: Shipment, *, service_code: str) -> PackedShipment:
    """Pack a shipment's units into one active PackagingBox.

    Raises LabelInputError for an item with no weight or size (own or
    category default), an item that fits no box, a shipment that needs
    more than one box, or a parcel over 30 kg.
    """
    lines = list(shipment.lines.select_related("order_line__variant__product"))
    items = [_parcel_item(line.order_line, line.quantity) for line in lines]
    boxes = {box.name: box for box in PackagingBox.objects.filter(is_active=True)}
    plain_boxes = [_plain_box(box) for box in boxes.values()]
    for line, item in zip(lines, items, strict=True):
        _pack(shipment, [item], plain_boxes, service_code, name=_describe(line))

    parcels = _pack(shipment, items, plain_boxes, service_code, name="")
    if len(parcels) > 1:
        raise LabelInputError(
            f"Shipment {shipment.number} does not fit in one box: it needs "
            f"{len(parcels)} boxes. Split the shipment, or add a larger box."
        )
    parcel = parcels[0]
    if parcel.weight_g > MAX_PARCEL_WEIGHT_G:
        raise LabelInputError(
            f"Shipment {shipment.number} weighs {parcel.weight_g / 1000:.3f} kg "
            f"packed, over Canada Post's {MAX_PARCEL_WEIGHT_KG} kg limit for "
            f"one parcel. Split the shipment."
        )
    length, width, height = parcel.outer_dimensions_cm
    return PackedShipment(
        box=boxes[parcel.box.name],
        weight_g=parcel.weight_g,
        length_cm=length,
        width_cm=width,
        height_cm=height,
    )


def check_address(shipment: Shipment, *, service_code: str, service_name: str):
    """Raise LabelInputError for a post office box sent by courier service."""
    if service_code not in COURIER_SERVICES:
        return
    order = shipment.order
    for line in (order.ship_line1, order.ship_line2):
        if PO_BOX.search(line):
            raise LabelInputError(
                f"Shipment {shipment.number} goes to a post office box "
                f"({line!r}), and {service_name} is a courier service that "
                f"does not deliver to one. Choose Expedited or Regular "
                f"Parcel, or ask the customer for a street address."
            )


def _pack(shipment, items, boxes, service_code, *, name):
    try:
        return pack_items(items=items, boxes=boxes, service=service_code)
    except ValueError as error:
        message = str(error)
        if name:
            message = message.replace("Item 1", name, 1)
        raise LabelInputError(
            f"Shipment {shipment.number} cannot be packed: {message}"
        ) from None


def _describe(line) -> str:
    order_line = line.order_line
    return f"{order_line.sku} ({order_line.name})"


def _parcel_item(order_line: OrderLine, quantity: int) -> ParcelItem:
    unit = _unit_packaging(order_line)
    return ParcelItem(
        weight_g=unit.weight_g,
        length_cm=unit.length_cm,
        width_cm=unit.width_cm,
        height_cm=unit.height_cm,
        quantity=quantity,
    )


def _unit_packaging(order_line: OrderLine) -> Packaging:
    """Take each value from the variant, else from its category's default.

    Unlike checkout's rate quote, a label never guesses: a missing value
    stops the purchase so that Canada Post is not billed a wrong weight.
    """
    variant = order_line.variant
    name = f"{order_line.sku} ({order_line.name})"
    if variant is None:
        raise LabelInputError(
            f"{name} is no longer in the catalog, so its weight is unknown. "
            f"Buy this label by hand in the Canada Post account."
        )
    category = variant.product.category
    default = category_packaging(category)
    sides = (variant.length_cm, variant.width_cm, variant.height_cm)
    weight_g = variant.weight_g or (default.weight_g if default else None)
    if not weight_g:
        raise LabelInputError(
            f"{name} has no weight, and its category {category.name!r} has "
            f"no default packaging. Enter the variant's packed weight in "
            f"grams, or the category's default weight and size."
        )
    if all(sides):
        return Packaging(weight_g, *sides)
    if default is None:
        raise LabelInputError(
            f"{name} has no length, width and height, and its category "
            f"{category.name!r} has no default packaging. Enter the "
            f"variant's packed size in cm, or the category's default size."
        )
    return Packaging(weight_g, default.length_cm, default.width_cm, default.height_cm)


def _plain_box(box: PackagingBox) -> Box:
    return Box(
        name=box.name,
        inner_length_cm=box.inner_length_cm,
        inner_width_cm=box.inner_width_cm,
        inner_height_cm=box.inner_height_cm,
        outer_length_cm=box.outer_length_cm,
        outer_width_cm=box.outer_width_cm,
        outer_height_cm=box.outer_height_cm,
        empty_weight_g=box.empty_weight_g,
        max_weight_g=box.max_weight_g,
    )
