"""Demo catalog for trying the shop: sample products, packaging and stock.

The CSV files next to this module come from the Magento "Luma" sample data
and the django-oscar sandbox; NOTICE gives their sources and licences.
"""

import csv
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from inventory import services as inventory_services
from inventory.models import Stock
from shop.catalog_import import ImportReport, import_catalog, open_catalog
from shop.catalog_import.planning import CategoryTree
from shop.models import Category, TaxClass, Variant
from shop.money import ZERO, round_money

DEMO_DATA_DIR = Path(__file__).resolve().parent

# Each file with the tax class of its products.
DEMO_CATALOGS = (
    ("luma-apparel-gear.csv", TaxClass.STANDARD),
    ("oscar-books.csv", TaxClass.PRINTED_BOOK),
)

# The demo's unit cost as a share of the selling price, a common keystone
# markup for apparel and books, so opening stock has a value in the ledger.
DEMO_COST_RATIO = Decimal("0.45")


@dataclass(frozen=True)
class Packaging:
    """Packed weight in grams and box size in centimetres."""

    weight_g: int
    length_cm: Decimal
    width_cm: Decimal
    height_cm: Decimal


def _box(weight_g: int, length: str, width: str, height: str) -> Packaging:
    return Packaging(weight_g, Decimal(length), Decimal(width), Decimal(height))


# Estimated packed weights and box sizes, chosen to give the shipping rates
# a realistic spread. A top-level entry is used for any category below it
# without packaging of its own, because checkout takes the nearest
# ancestor's.
DEMO_PACKAGING = {
    ("Men",): _box(500, "35", "28", "6"),
    ("Men", "Tops", "Tees"): _box(250, "30", "25", "3"),
    ("Men", "Tops", "Tanks"): _box(180, "25", "20", "3"),
    ("Men", "Tops", "Hoodies & Sweatshirts"): _box(700, "35", "30", "8"),
    ("Men", "Tops", "Jackets"): _box(900, "40", "32", "10"),
    ("Men", "Bottoms", "Pants"): _box(550, "35", "28", "5"),
    ("Men", "Bottoms", "Shorts"): _box(300, "30", "25", "4"),
    ("Women",): _box(450, "35", "28", "6"),
    ("Women", "Tops", "Tees"): _box(220, "30", "25", "3"),
    ("Women", "Tops", "Bras & Tanks"): _box(160, "25", "20", "3"),
    ("Women", "Tops", "Hoodies & Sweatshirts"): _box(650, "35", "30", "8"),
    ("Women", "Tops", "Jackets"): _box(850, "40", "32", "10"),
    ("Women", "Bottoms", "Pants"): _box(480, "35", "28", "5"),
    ("Women", "Bottoms", "Shorts"): _box(260, "30", "25", "4"),
    ("Gear",): _box(1000, "40", "30", "20"),
    ("Gear", "Bags"): _box(1200, "50", "35", "20"),
    ("Gear", "Fitness Equipment"): _box(1500, "40", "30", "25"),
    ("Gear", "Watches"): _box(300, "15", "12", "8"),
    # Books by size: hardcover programming references, trade paperbacks,
    # and mass-market novels.
    ("Books",): _box(700, "24", "18", "4"),
    ("Books", "Non-Fiction", "Essential programming"): _box(1100, "26", "21", "5"),
    ("Books", "Non-Fiction", "Hacking"): _box(700, "24", "18", "4"),
    ("Books", "Fiction", "Computers in Literature"): _box(350, "20", "14", "3"),
}


@dataclass(frozen=True)
class DemoResult:
    """Counts of what load_demo_catalog changed, for the command to print."""

    imports: dict[str, ImportReport]
    categories_packaged: int
    unit_costs_set: int
    stock_rows_created: int
    opening_stock_value: Decimal


def load_demo_catalog(*, user: User | None) -> DemoResult:
    """Import the demo catalogs, give their categories packaging, add stock.

    Safe to run again: the import and the packaging save only changed
    values, variants with a unit cost keep it, and variants that already
    have stock keep it. Opening stock is recorded as `user`'s and valued at
    the unit cost, which posts it to owner's equity.
    """
    with transaction.atomic():
        imports = {}
        for file_name, tax_class in DEMO_CATALOGS:
            catalog = open_catalog(DEMO_DATA_DIR / file_name)
            imports[file_name] = import_catalog(catalog, tax_class=tax_class)
        packaged = set_demo_packaging()
        demo_variants = list(
            Variant.objects.filter(sku__in=_demo_skus()).only(
                "pk", "sku", "price", "unit_cost"
            )
        )
        costed = set_demo_unit_costs(demo_variants)
        quantities = {
            variant.pk: opening_quantity(variant.sku) for variant in demo_variants
        }
        created = inventory_services.set_opening_stock_many(
            quantities=quantities, user=user
        )
        value = Stock.objects.filter(variant_id__in=quantities).aggregate(
            total=Sum("value_amount", default=ZERO)
        )["total"]
    return DemoResult(
        imports=imports,
        categories_packaged=packaged,
        unit_costs_set=costed,
        stock_rows_created=created,
        opening_stock_value=value,
    )


def set_demo_unit_costs(variants: Sequence[Variant]) -> int:
    """Give variants without a unit cost one of 45% of their price.

    Rounded to the cent, half up. Returns how many variants changed.
    """
    ids_by_price: dict[Decimal, list[int]] = defaultdict(list)
    for variant in variants:
        if variant.unit_cost is None:
            ids_by_price[variant.price].append(variant.pk)
    now = timezone.now()
    # One UPDATE per price: the demo has about 90 prices over two thousand
    # variants.
    for price, ids in ids_by_price.items():
        Variant.objects.filter(pk__in=ids).update(
            unit_cost=round_money(price * DEMO_COST_RATIO), updated_at=now
        )
    # update() writes no history, and without an entry the first change in
    # the admin would also list the unit cost as changed.
    costed_ids = [pk for ids in ids_by_price.values() for pk in ids]
    Variant.history.bulk_history_create(
        list(Variant.objects.filter(pk__in=costed_ids)),
        update=True,
        default_change_reason="Demo unit cost",
    )
    return len(costed_ids)


def set_demo_packaging() -> int:
    """Set default packaging on demo categories; return how many changed."""
    tree = CategoryTree()
    changed = 0
    for category in tree.by_key.values():
        packaging = DEMO_PACKAGING.get(tree.paths[category.pk])
        if packaging is None:
            continue
        values = {f"default_{name}": value for name, value in asdict(packaging).items()}
        if any(getattr(category, name) != value for name, value in values.items()):
            Category.objects.filter(pk=category.pk).update(**values)
            changed += 1
    return changed


def opening_quantity(sku: str) -> int:
    """Return the demo's opening stock for a SKU, the same on every run.

    A checksum of the SKU spreads the catalog: about 8% out of stock, 12%
    with 1 to 5 units left, and the rest with 6 to 50 units.
    """
    bucket = zlib.crc32(sku.encode()) % 100
    if bucket < 8:
        return 0
    if bucket < 20:
        return 1 + bucket % 5
    return 6 + bucket % 45


def _demo_skus() -> list[str]:
    skus = []
    for file_name, _ in DEMO_CATALOGS:
        with open(DEMO_DATA_DIR / file_name, encoding="utf-8", newline="") as file:
            skus += [row["sku"] for row in csv.DictReader(file)]
    return skus
