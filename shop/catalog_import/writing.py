"""Write an import plan: categories, then products, then variants.

New rows are written with bulk_create; changed rows with bulk_update of
only the fields that changed (plus updated_at, which bulk_update does not
set by itself). Both write a history entry per product and variant, with
no user and the change reason "Catalog import", so the admin's History
page shows the values a later change replaced.
"""

from collections import defaultdict
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from shop.models import Category, Product, TaxClass, Variant

from .planning import ImportPlan, PathKey, path_key

BATCH_SIZE = 500
CHANGE_REASON = "Catalog import"


class SlugAllocator:
    """Hands out slugs not yet taken, trying each candidate text in turn.

    When every candidate is taken (or slugifies to nothing, as a title in
    Cyrillic does), it adds -2, -3 and so on to the first usable one.
    """

    def __init__(self, taken: set[str], max_length: int):
        self.taken = taken
        self.max_length = max_length

    def allocate(self, *candidates: str) -> str:
        slugs = [self._slugify(text) for text in candidates]
        for slug in slugs:
            if slug and slug not in self.taken:
                return self._take(slug)

        base = next((slug for slug in slugs if slug), "item")
        number = 2
        while f"{base}-{number}" in self.taken:
            number += 1
        return self._take(f"{base}-{number}")

    def _slugify(self, text: str) -> str:
        # Leave room for a "-99" ending within the field's max_length.
        return slugify(text)[: self.max_length - 4].strip("-")

    def _take(self, slug: str) -> str:
        self.taken.add(slug)
        return slug


def apply_plan(plan: ImportPlan) -> None:
    """Write the plan's creates and updates; call inside a transaction."""
    category_ids = _create_categories(plan)
    now = timezone.now()
    _create_products(plan, category_ids)
    for _, changes in plan.product_updates:
        if "category" in changes:
            changes["category"] = category_ids[path_key(changes["category"])]
    _save_changes(Product, plan.product_updates, now)

    skus = {spec.product_sku for spec in plan.variant_creates}
    skus |= {
        changes["product"]
        for _, changes in plan.variant_updates
        if "product" in changes
    }
    product_ids = dict(Product.objects.filter(sku__in=skus).values_list("sku", "pk"))
    _create_variants(plan, product_ids)
    for _, changes in plan.variant_updates:
        if "product" in changes:
            changes["product"] = product_ids[changes["product"]]
    _save_changes(Variant, plan.variant_updates, now)


def _create_categories(plan: ImportPlan) -> dict[PathKey, int]:
    category_ids = {
        key: category.pk for key, category in plan.categories.by_key.items()
    }
    slugs = SlugAllocator(
        set(Category.objects.values_list("slug", flat=True)), max_length=200
    )
    # One at a time: treebeard computes each node's materialized path from
    # its siblings, and the parents must exist first (missing_paths sorts
    # them so).
    for path in plan.new_category_paths:
        fields = {"name": path[-1], "slug": slugs.allocate(" ".join(path))}
        if len(path) == 1:
            category = Category.objects.add_root(fields)
        else:
            parent = Category.objects.get(pk=category_ids[path_key(path[:-1])])
            category = Category.objects.add_child(parent, fields)
        category_ids[path_key(path)] = category.pk
    return category_ids


def _create_products(plan: ImportPlan, category_ids: dict[PathKey, int]) -> None:
    slugs = SlugAllocator(
        set(Product.objects.values_list("slug", flat=True)), max_length=255
    )
    products = []
    for spec in plan.product_creates:
        assert spec.category_path and spec.name
        products.append(
            Product(
                sku=spec.sku,
                name=spec.name,
                slug=slugs.allocate(spec.name, f"{spec.name} {spec.sku}", spec.sku),
                description=spec.description or "",
                category_id=category_ids[path_key(spec.category_path)],
                tax_class=spec.tax_class or TaxClass.STANDARD,
            )
        )
    bulk_create_with_history(
        products, Product, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON
    )


def _create_variants(plan: ImportPlan, product_ids: dict[str, int]) -> None:
    variants = [
        Variant(sku=spec.sku, product_id=product_ids[spec.product_sku], **spec.values)
        for spec in plan.variant_creates
    ]
    bulk_create_with_history(
        variants, Variant, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON
    )


def _save_changes(
    model: type[Model], updates: list[tuple[Any, dict[str, Any]]], now
) -> None:
    """Save each row's changed fields, one bulk_update per set of fields."""
    groups: dict[tuple[str, ...], list[Model]] = defaultdict(list)
    for instance, changes in updates:
        for name, value in changes.items():
            attribute = f"{name}_id" if name in ("category", "product") else name
            setattr(instance, attribute, value)
        instance.updated_at = now
        groups[tuple(sorted(changes))].append(instance)

    for names, instances in groups.items():
        bulk_update_with_history(
            instances,
            model,
            [*names, "updated_at"],
            batch_size=BATCH_SIZE,
            default_change_reason=CHANGE_REASON,
        )
