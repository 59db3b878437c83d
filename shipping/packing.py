"""Packing an order's items into the shop's boxes so that they physically fit.

Each unit is placed square to the box walls, in one of its six
orientations, within the box's inner dimensions. There is no diagonal
placement: a 62 cm rod does not fit a 60 x 45 x 25 cm box even though the
box's space diagonal is 79 cm. A box's load (contents plus the empty box)
stays within its max weight. Carriers rate the box's outer dimensions.

The packer is a first-fit-decreasing heuristic with guillotine free-space
splitting, so it never overlaps two units but can miss a tighter packing
that an exhaustive search would find. It fills one parcel at a time: every
box size is tried on the units still to pack, the box that takes all of
them at the lowest billable weight wins, or else the box that takes the
most volume. That keeps parcels few, then cheap.

Complexity: trying one box on n units with s free spaces (s <= 2n + 1) costs
O(n x s) comparisons, so one parcel costs O(b x n^2) for b box sizes and a
whole order O(p x b x n^2) for p parcels. A unit that fails is not retried
with its identical siblings, which keeps 200 units to a fraction of a second.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import permutations

from shipping.parcels import ParcelItem, billable_weight_kg, check_items

Size = tuple[Decimal, Decimal, Decimal]


@dataclass(frozen=True)
class Box:
    """A packaging box as plain values, mirroring models.PackagingBox."""

    name: str
    inner_length_cm: Decimal
    inner_width_cm: Decimal
    inner_height_cm: Decimal
    outer_length_cm: Decimal
    outer_width_cm: Decimal
    outer_height_cm: Decimal
    empty_weight_g: int
    max_weight_g: int

    @property
    def inner_size(self) -> Size:
        return (self.inner_length_cm, self.inner_width_cm, self.inner_height_cm)

    @property
    def inner_volume_cm3(self) -> Decimal:
        return self.inner_length_cm * self.inner_width_cm * self.inner_height_cm

    def describe(self) -> str:
        """Name the box with its inside size and max weight, for messages."""
        sides = " x ".join(f"{side:g}" for side in self.inner_size)
        return f"{self.name} ({sides} cm inside, {_kg(self.max_weight_g)} kg max)"


@dataclass(frozen=True)
class Placement:
    """One unit in a box: its corner nearest the box's origin, and its sides.

    `item_number` is the item's 1-based position in the list passed to
    pack_items. The sides are the unit's extents along the box's length,
    width and height, so they show the orientation chosen.
    """

    item_number: int
    x_cm: Decimal
    y_cm: Decimal
    z_cm: Decimal
    length_cm: Decimal
    width_cm: Decimal
    height_cm: Decimal


@dataclass(frozen=True)
class PackedParcel:
    """One box to ship, with the units placed in it and its total weight."""

    box: Box
    placements: tuple[Placement, ...]
    weight_g: int

    @property
    def outer_dimensions_cm(self) -> Size:
        box = self.box
        return (box.outer_length_cm, box.outer_width_cm, box.outer_height_cm)

    def billable_weight_kg(self, service: str) -> Decimal:
        """Calculate the billable weight of this parcel for a carrier service.

        The greater of the actual weight (contents plus the empty box) and
        the outer volume over the service's factor, in kg to the gram.
        """
        length, width, height = self.outer_dimensions_cm
        whole_parcel = ParcelItem(
            weight_g=self.weight_g,
            length_cm=length,
            width_cm=width,
            height_cm=height,
            quantity=1,
        )
        return billable_weight_kg([whole_parcel], service=service)


@dataclass(frozen=True)
class _Unit:
    item_number: int
    item: ParcelItem


@dataclass(frozen=True)
class _Space:
    origin: Size
    size: Size

    @property
    def volume_cm3(self) -> Decimal:
        return self.size[0] * self.size[1] * self.size[2]


@dataclass(frozen=True)
class _Trial:
    box: Box
    placements: tuple[Placement, ...]
    packed: tuple[_Unit, ...]
    weight_g: int

    @property
    def packed_volume_cm3(self) -> Decimal:
        return sum((unit.item.volume_cm3 for unit in self.packed), Decimal(0))


def pack_items(
    *, items: list[ParcelItem], boxes: list[Box], service: str = "DOM.EP"
) -> list[PackedParcel]:
    """Pack `items` into as few of `boxes` as possible, then the cheapest.

    `service` (Expedited unless given) only ranks boxes by billable weight;
    each PackedParcel still gives its billable weight for any service.
    Quantities multiply each item's volume and weight, never its dimensions.

    Raises ValueError naming the item and the largest box when an item
    fits no box or is heavier than any box takes, and for an empty item or
    box list.
    """
    check_items(items)
    if not boxes:
        raise ValueError("No packaging boxes to pack into: add one in the admin.")
    for number, item in enumerate(items, start=1):
        _check_item_fits_a_box(number, item, boxes)

    remaining = _units_largest_first(items)
    parcels: list[PackedParcel] = []
    while remaining:
        trial = _choose_box(remaining, boxes, service)
        parcels.append(
            PackedParcel(
                box=trial.box, placements=trial.placements, weight_g=trial.weight_g
            )
        )
        packed_ids = {id(unit) for unit in trial.packed}
        remaining = [unit for unit in remaining if id(unit) not in packed_ids]
    return parcels


def _check_item_fits_a_box(number: int, item: ParcelItem, boxes: list[Box]) -> None:
    largest = max(boxes, key=lambda box: (box.inner_volume_cm3, box.max_weight_g))
    unit_size = (item.length_cm, item.width_cm, item.height_cm)
    roomy = [box for box in boxes if _orientations_within(unit_size, box.inner_size)]
    if not roomy:
        sides = " x ".join(f"{side:g}" for side in unit_size)
        raise ValueError(
            f"Item {number} ({sides} cm) fits no packaging box in any "
            f"orientation, and items are never placed diagonally. The largest "
            f"box is {largest.describe()}. Add a larger box, or check the "
            f"item's dimensions."
        )
    if all(item.weight_g + box.empty_weight_g > box.max_weight_g for box in roomy):
        raise ValueError(
            f"Item {number} weighs {_kg(item.weight_g)} kg, more than any "
            f"packaging box it fits in can take with the box's own weight. "
            f"The largest box is {largest.describe()}. Add a stronger box, "
            f"or check the item's weight."
        )


def _units_largest_first(items: Sequence[ParcelItem]) -> list[_Unit]:
    units = [
        _Unit(item_number=number, item=item)
        for number, item in enumerate(items, start=1)
        for _ in range(item.quantity)
    ]
    return sorted(
        units,
        key=lambda unit: (
            unit.item.volume_cm3,
            max(unit.item.length_cm, unit.item.width_cm, unit.item.height_cm),
            unit.item.weight_g,
        ),
        reverse=True,
    )


def _choose_box(units: list[_Unit], boxes: list[Box], service: str) -> _Trial:
    """Return the trial that packs all `units` cheapest, or else the most."""
    trials = [_fill_box(box, units) for box in boxes]
    trials = [trial for trial in trials if trial.packed]

    def billable(trial: _Trial) -> Decimal:
        return _billable(trial, service)

    complete = [trial for trial in trials if len(trial.packed) == len(units)]
    if complete:
        return min(complete, key=billable)
    return max(
        trials,
        key=lambda trial: (
            trial.packed_volume_cm3,
            trial.weight_g - trial.box.empty_weight_g,
            -billable(trial),
        ),
    )


def _billable(trial: _Trial, service: str) -> Decimal:
    parcel = PackedParcel(box=trial.box, placements=(), weight_g=trial.weight_g)
    return parcel.billable_weight_kg(service)


def _fill_box(box: Box, units: list[_Unit]) -> _Trial:
    """Place as many of `units`, in order, as fit `box` by size and weight."""
    zero = Decimal(0)
    spaces = [_Space(origin=(zero, zero, zero), size=box.inner_size)]
    weight_g = box.empty_weight_g
    placements: list[Placement] = []
    packed: list[_Unit] = []
    # Free spaces only shrink and the load only grows, so once a unit fails
    # every identical unit of the same item fails too.
    failed_items: set[int] = set()

    for unit in units:
        if unit.item_number in failed_items:
            continue
        fit = None
        if weight_g + unit.item.weight_g <= box.max_weight_g:
            fit = _best_space(spaces, unit.item)
        if fit is None:
            failed_items.add(unit.item_number)
            continue
        space, oriented = fit
        spaces.remove(space)
        spaces.extend(_split(space, oriented))
        placements.append(Placement(unit.item_number, *space.origin, *oriented))
        packed.append(unit)
        weight_g += unit.item.weight_g

    return _Trial(box, tuple(placements), tuple(packed), weight_g)


def _best_space(spaces: list[_Space], item: ParcelItem) -> tuple[_Space, Size] | None:
    """Pick the smallest free space that takes `item`, and its orientation.

    Among the orientations that fit, take the one that would fit the most
    identical units in that space, so a run of one product packs in rows.
    """
    unit_size = (item.length_cm, item.width_cm, item.height_cm)
    best: tuple[_Space, Size] | None = None
    for space in spaces:
        if best is not None and space.volume_cm3 >= best[0].volume_cm3:
            continue
        orientations = _orientations_within(unit_size, space.size)
        if orientations:
            oriented = max(orientations, key=lambda o: _rows(o, space.size))
            best = (space, oriented)
    return best


def _orientations_within(unit_size: Size, room: Size) -> list[Size]:
    """List the distinct orientations of a unit that fit within `room`."""
    return [
        _size(list(oriented))
        for oriented in dict.fromkeys(permutations(unit_size))
        if all(side <= limit for side, limit in zip(oriented, room, strict=True))
    ]


def _rows(oriented: Size, room: Size) -> int:
    count = 1
    for side, limit in zip(oriented, room, strict=True):
        count *= int(limit // side)
    return count


def _split(space: _Space, oriented: Size) -> list[_Space]:
    """Cut the rest of `space` around a unit at its origin into free spaces.

    A guillotine cut: the axis with the most room left gets a slab across
    the whole space, the next one a slab as long as the unit, the last one
    the unit's own footprint. The pieces never overlap each other or the
    unit, which is what keeps placements apart.
    """
    leftovers = [space.size[axis] - oriented[axis] for axis in range(3)]
    bounds = list(space.size)
    pieces = []
    for axis in sorted(range(3), key=lambda axis: leftovers[axis], reverse=True):
        if leftovers[axis] > 0:
            origin = list(space.origin)
            origin[axis] += oriented[axis]
            size = list(bounds)
            size[axis] = leftovers[axis]
            pieces.append(_Space(origin=_size(origin), size=_size(size)))
        bounds[axis] = oriented[axis]
    return pieces


def _size(values: list[Decimal]) -> Size:
    return (values[0], values[1], values[2])


def _kg(grams: int) -> Decimal:
    return (Decimal(grams) / 1000).quantize(Decimal("0.001"))
