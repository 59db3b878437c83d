"""Parcels and their billable weight, on plain values.

A carrier bills the greater of a parcel's actual weight and its
dimensional weight: its volume in cm³ divided by the service's density
factor (settings.SHIPPING_DIM_FACTORS, in cm³ per kg).

Until real bin packing exists, items sent together are treated as one box
holding their combined volume: quantities multiply each item's volume and
weight, never its dimensions.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal

from django.conf import settings

GRAMS_PER_KG = 1000
KG = Decimal("0.001")

# Canada Post's limits for one parcel: 30 kg, no side over 2 m, and length
# plus girth at most 3 m.
MAX_PARCEL_WEIGHT_KG = Decimal(30)
MAX_LENGTH_CM = Decimal(200)
MAX_LENGTH_PLUS_GIRTH_CM = Decimal(300)


@dataclass(frozen=True)
class ParcelItem:
    """One product to ship: packed weight and size of a unit, and how many."""

    weight_g: int
    length_cm: Decimal
    width_cm: Decimal
    height_cm: Decimal
    quantity: int

    @property
    def volume_cm3(self) -> Decimal:
        """Volume of one unit."""
        return self.length_cm * self.width_cm * self.height_cm


@dataclass(frozen=True)
class Parcel:
    """One box handed to the carrier, with the weight and volume inside."""

    weight_g: int
    volume_cm3: Decimal
    billable_weight_kg: Decimal


def dim_factor(service: str) -> int:
    """Return the density factor of a carrier service, in cm³ per kg.

    Raises ValueError naming the service code when it has no factor.
    """
    factors = settings.SHIPPING_DIM_FACTORS
    if service not in factors:
        raise ValueError(
            f"No dimensional weight factor for service {service!r}: "
            f"add it to SHIPPING_DIM_FACTORS."
        )
    return factors[service]


def billable_weight_kg(items: Sequence[ParcelItem], *, service: str) -> Decimal:
    """Calculate the billable weight of `items` packed together in one box.

    Returns kilograms to the gram, the dimensional weight rounded up.
    Raises ValueError naming the first invalid item.
    """
    check_items(items)
    weight_g = sum(item.weight_g * item.quantity for item in items)
    volume_cm3 = sum((item.volume_cm3 * item.quantity for item in items), Decimal(0))
    return _billable_kg(weight_g, volume_cm3, dim_factor(service))


def pack_parcels(items: Sequence[ParcelItem], *, service: str) -> list[Parcel]:
    """Pack `items` into boxes of at most 30 kg billable weight each.

    Several boxes are what a shop owner expects for a large order, rather
    than a checkout that rejects it, so only a single unit over 30 kg, or
    over Canada Post's size limits, raises ValueError. Units go into the
    first box with room, heaviest items first (first-fit decreasing).
    """
    check_items(items)
    factor = dim_factor(service)
    for number, item in enumerate(items, start=1):
        _check_unit_fits(number, item, factor)

    heaviest_first = sorted(
        items,
        key=lambda item: _billable_kg(item.weight_g, item.volume_cm3, factor),
        reverse=True,
    )
    boxes: list[_Box] = []
    for item in heaviest_first:
        _add_units(boxes, item, factor)
    return [
        Parcel(
            weight_g=box.weight_g,
            volume_cm3=box.volume_cm3,
            billable_weight_kg=_billable_kg(box.weight_g, box.volume_cm3, factor),
        )
        for box in boxes
    ]


def check_items(items: Sequence[ParcelItem]) -> None:
    """Raise ValueError naming the first invalid item, or an empty list."""
    if not items:
        raise ValueError("The parcel is empty: add at least one item to ship.")
    for number, item in enumerate(items, start=1):
        if item.weight_g <= 0:
            raise ValueError(
                f"Item {number} has invalid weight {item.weight_g} g: "
                f"enter its packed weight in grams (1 g or more)."
            )
        sides = (item.length_cm, item.width_cm, item.height_cm)
        if min(sides) <= 0:
            raise ValueError(
                f"Item {number} has invalid dimensions "
                f"{' x '.join(str(side) for side in sides)} cm: "
                f"enter its packed length, width and height in cm."
            )
        if item.quantity < 1:
            raise ValueError(
                f"Item {number} has invalid quantity {item.quantity}: "
                f"ship 1 or more, or leave the item out."
            )


def _check_unit_fits(number: int, item: ParcelItem, factor: int) -> None:
    billable = _billable_kg(item.weight_g, item.volume_cm3, factor)
    if billable > MAX_PARCEL_WEIGHT_KG:
        raise ValueError(
            f"Item {number} weighs {billable} kg billable, over the "
            f"{MAX_PARCEL_WEIGHT_KG} kg limit for one parcel: ship it by "
            f"freight, or check its weight and dimensions."
        )
    length, width, height = sorted(
        (item.length_cm, item.width_cm, item.height_cm), reverse=True
    )
    if length > MAX_LENGTH_CM or length + 2 * (width + height) > (
        MAX_LENGTH_PLUS_GIRTH_CM
    ):
        raise ValueError(
            f"Item {number} measures {length} x {width} x {height} cm, over "
            f"the parcel limits ({MAX_LENGTH_CM} cm per side, "
            f"{MAX_LENGTH_PLUS_GIRTH_CM} cm length plus girth): ship it by "
            f"freight, or check its dimensions."
        )


@dataclass
class _Box:
    weight_g: int = 0
    volume_cm3: Decimal = Decimal(0)


def _add_units(boxes: list[_Box], item: ParcelItem, factor: int) -> None:
    """Put `item`'s units in the first boxes with room, then in new boxes."""
    remaining = item.quantity
    for box in boxes:
        remaining -= _fill(box, item, remaining, factor)
    while remaining:
        box = _Box()
        boxes.append(box)
        remaining -= _fill(box, item, remaining, factor)


def _fill(box: _Box, item: ParcelItem, quantity: int, factor: int) -> int:
    """Add up to `quantity` units of `item` to `box` and return the count."""
    room_by_weight = (MAX_PARCEL_WEIGHT_KG * GRAMS_PER_KG - box.weight_g) // (
        item.weight_g
    )
    room_by_volume = (MAX_PARCEL_WEIGHT_KG * factor - box.volume_cm3) // (
        item.volume_cm3
    )
    units = min(quantity, int(room_by_weight), int(room_by_volume))
    box.weight_g += item.weight_g * units
    box.volume_cm3 += item.volume_cm3 * units
    return units


def _billable_kg(weight_g: int, volume_cm3: Decimal, factor: int) -> Decimal:
    actual = Decimal(weight_g) / GRAMS_PER_KG
    dimensional = (volume_cm3 / factor).quantize(KG, rounding=ROUND_UP)
    return max(actual, dimensional).quantize(KG)
