"""Compare the file's products and variants with the shop's, field by field.

The plan lists what to create and, for each existing row, only the fields
whose values differ, so importing the same file again plans nothing.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models.functions import Lower

from shop.models import Category, Product, Variant

from .errors import CatalogImportError
from .products import ProductSpec, VariantSpec

PathKey = tuple[str, ...]


def path_key(path: tuple[str, ...]) -> PathKey:
    """Return the key that matches category paths regardless of case."""
    return tuple(name.casefold() for name in path)


class CategoryTree:
    """The shop's categories by their path of names, read in one query."""

    def __init__(self) -> None:
        self.by_key: dict[PathKey, Category] = {}
        self.paths: dict[int, tuple[str, ...]] = {}
        names_by_tree_path: dict[str, tuple[str, ...]] = {}
        for category in Category.objects.order_by("path"):
            parent_tree_path = category.path[: -Category.steplen]
            names = (*names_by_tree_path.get(parent_tree_path, ()), category.name)
            names_by_tree_path[category.path] = names
            self.paths[category.pk] = names
            self.by_key.setdefault(path_key(names), category)

    def find(self, path: tuple[str, ...]) -> Category | None:
        return self.by_key.get(path_key(path))

    def missing_paths(self, paths: set[tuple[str, ...]]) -> list[tuple[str, ...]]:
        """Return the paths and ancestors not in the tree, parents first."""
        missing: dict[PathKey, tuple[str, ...]] = {}
        for path in paths:
            for depth in range(1, len(path) + 1):
                prefix = path[:depth]
                if self.find(prefix) is None:
                    missing.setdefault(path_key(prefix), prefix)
        return sorted(missing.values(), key=lambda path: (len(path), path))


@dataclass
class ImportPlan:
    """Rows to create and changed fields to save, with unchanged counts."""

    categories: CategoryTree
    new_category_paths: list[tuple[str, ...]]
    product_creates: list[ProductSpec] = field(default_factory=list)
    product_updates: list[tuple[Product, dict[str, Any]]] = field(default_factory=list)
    products_unchanged: int = 0
    variant_creates: list[VariantSpec] = field(default_factory=list)
    variant_updates: list[tuple[Variant, dict[str, Any]]] = field(default_factory=list)
    variants_unchanged: int = 0

    def changed_fields(self) -> Counter[str]:
        """Count updates per field, as "product name" or "variant price"."""
        counts: Counter[str] = Counter()
        for kind, updates in (
            ("product", self.product_updates),
            ("variant", self.variant_updates),
        ):
            for _, changes in updates:
                counts.update(f"{kind} {name}" for name in changes)
        return counts


def build_plan(
    products: dict[str, ProductSpec], variants: list[VariantSpec]
) -> ImportPlan:
    """Plan the writes that bring the shop in line with the file."""
    tree = CategoryTree()
    paths = {spec.category_path for spec in products.values() if spec.category_path}
    plan = ImportPlan(categories=tree, new_category_paths=tree.missing_paths(paths))

    existing_products = Product.objects.in_bulk(list(products), field_name="sku")
    for sku, spec in products.items():
        product = existing_products.get(sku)
        if product is None:
            plan.product_creates.append(spec)
        elif changes := _product_changes(product, spec, tree):
            plan.product_updates.append((product, changes))
        else:
            plan.products_unchanged += 1

    existing_variants = Variant.objects.select_related("product").in_bulk(
        [spec.sku for spec in variants], field_name="sku"
    )
    _check_sku_case([spec for spec in variants if spec.sku not in existing_variants])
    for variant_spec in variants:
        variant = existing_variants.get(variant_spec.sku)
        if variant is None:
            plan.variant_creates.append(variant_spec)
        elif changes := _variant_changes(variant, variant_spec):
            plan.variant_updates.append((variant, changes))
        else:
            plan.variants_unchanged += 1
    return plan


def _check_sku_case(new_variants: list[VariantSpec]) -> None:
    """Raise CatalogImportError for new SKUs that the shop already has in
    other letter case, since SKUs are unique ignoring case."""
    stored = dict(
        Variant.objects.annotate(sku_lower=Lower("sku"))
        .filter(sku_lower__in=[spec.sku.lower() for spec in new_variants])
        .values_list("sku_lower", "sku")
    )
    errors = [
        f'line {spec.line}: sku "{spec.sku}" differs from the shop\'s sku '
        f'"{stored[spec.sku.lower()]}" only in letter case, and SKUs are '
        f'matched ignoring case; write "{stored[spec.sku.lower()]}" to update '
        "that variant, or choose another SKU"
        for spec in new_variants
        if spec.sku.lower() in stored
    ]
    if errors:
        raise CatalogImportError(errors)


def _product_changes(
    product: Product, spec: ProductSpec, tree: CategoryTree
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in ("name", "description", "tax_class"):
        value = getattr(spec, name)
        if value is not None and getattr(product, name) != value:
            changes[name] = value

    current_path = tree.paths.get(product.category_id, ())
    if spec.category_path and path_key(current_path) != path_key(spec.category_path):
        changes["category"] = spec.category_path
    return changes


def _variant_changes(variant: Variant, spec: VariantSpec) -> dict[str, Any]:
    changes = {
        name: value
        for name, value in spec.values.items()
        if getattr(variant, name) != value
    }
    if variant.product.sku != spec.product_sku:
        changes["product"] = spec.product_sku
    return changes
