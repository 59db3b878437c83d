"""Parcel contents of cart lines: weight and box size of each unit.

A variant's own weight and dimensions are used when set. Missing values come
from the default packaging of the nearest category up the tree that has one.
When no category has it, FALLBACK_PACKAGING is used and a warning is logged.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from shipping.parcels import ParcelItem
from shop.models import CartLine, Category, Variant

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Packaging:
    """Packed weight in grams and box size in centimetres of one unit."""

    weight_g: int
    length_cm: Decimal
    width_cm: Decimal
    height_cm: Decimal


# Used for a variant with no weight or dimensions of its own when no category
# above it has default packaging: a folded garment in a small box. It keeps
# checkout working, and the logged warning asks staff to set the category's
# default packaging.
FALLBACK_PACKAGING = Packaging(
    weight_g=1000,
    length_cm=Decimal("30.0"),
    width_cm=Decimal("25.0"),
    height_cm=Decimal("10.0"),
)


def parcel_items(lines: Sequence[CartLine]) -> list[ParcelItem]:
    """Describe the parcel contents of cart lines for the shipping rate table.

    Each value comes from the variant when it has one, else from the nearest
    category up the tree that has default packaging, else from
    FALLBACK_PACKAGING with a logged warning.
    """
    packaging_by_category: dict[int, Packaging | None] = {}
    items = []
    for line in lines:
        variant = line.variant
        category = variant.product.category
        if category.pk not in packaging_by_category:
            packaging_by_category[category.pk] = category_packaging(category)
        packaging = packaging_by_category[category.pk]
        items.append(_parcel_item(variant, packaging, quantity=line.quantity))
    return items


def category_packaging(category: Category) -> Packaging | None:
    """Return the default packaging of a category or its nearest ancestor.

    A category counts only when all four defaults (weight and three
    dimensions) are set. Returns None when no category up the tree has them.
    """
    for node in [category, *reversed(Category.objects.get_ancestors(category))]:
        values = (
            node.default_weight_g,
            node.default_length_cm,
            node.default_width_cm,
            node.default_height_cm,
        )
        if all(values):
            return Packaging(*values)
    return None


def _parcel_item(
    variant: Variant, packaging: Packaging | None, *, quantity: int
) -> ParcelItem:
    unit = _unit_packaging(variant, packaging)
    return ParcelItem(
        weight_g=unit.weight_g,
        length_cm=unit.length_cm,
        width_cm=unit.width_cm,
        height_cm=unit.height_cm,
        quantity=quantity,
    )


def _unit_packaging(variant: Variant, packaging: Packaging | None) -> Packaging:
    weight_g = variant.weight_g
    length, width, height = variant.length_cm, variant.width_cm, variant.height_cm
    if weight_g and length and width and height:
        return Packaging(weight_g, length, width, height)

    if packaging is None:
        logger.warning(
            "No packaging for variant or its categories; using the fallback",
            extra={"variant_id": variant.pk, "sku": variant.sku},
        )
        packaging = FALLBACK_PACKAGING
    weight_g = weight_g or packaging.weight_g
    if length and width and height:
        return Packaging(weight_g, length, width, height)
    return Packaging(
        weight_g, packaging.length_cm, packaging.width_cm, packaging.height_cm
    )
