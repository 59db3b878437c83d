"""Import products and variants from a CSV file, creating or updating by SKU.

The columns are sku, name, category and price_cad (required) and
description, weight_g, length_cm, width_cm, height_cm, barcode, parent_sku,
tax_class and cost (optional). Each row is a variant; products.py explains
how parent_sku groups them into products. A column the file leaves out is
left as it is on existing rows, while an empty cell in a column the file
has clears that field. The cost column sets Variant.unit_cost, which
values opening stock, and a cost above the price is imported but listed
as a warning in the report.

Tax class: a row's tax_class cell wins. Rows that leave it empty take the
`tax_class` argument (the command's --tax-class option). When neither is
given, new products are standard-rated and existing ones keep theirs.
An option is used in place of a rule on category names because a shop
names its categories as it likes, and a book category may hold e-books or
bookmarks that are taxed differently.

Every row is checked before anything is written, and the writes run in one
transaction, so a bad row leaves the catalog exactly as it was.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from shop.models import Product, TaxClass

from .errors import CatalogImportError
from .planning import ImportPlan, build_plan
from .products import group_rows
from .reading import cost_warnings, open_catalog, read_catalog
from .writing import apply_plan

__all__ = [
    "CatalogImportError",
    "ChangeCounts",
    "ImportReport",
    "import_catalog",
    "open_catalog",
]


@dataclass(frozen=True)
class ChangeCounts:
    created: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )


@dataclass(frozen=True)
class ImportReport:
    """Counts of the changes an import made, or for a dry run would make."""

    dry_run: bool
    categories_created: int
    products: ChangeCounts
    variants: ChangeCounts
    changed_fields: dict[str, int]
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Describe the changes as lines for a terminal."""
        lines = []
        if self.dry_run:
            lines.append("Dry run: nothing was written. The import would make:")
        lines += [
            f"Categories: {self.categories_created} created",
            f"Products: {self.products}",
            f"Variants: {self.variants}",
        ]
        if self.changed_fields:
            fields = ", ".join(
                f"{name} ({count})"
                for name, count in sorted(self.changed_fields.items())
            )
            lines.append(f"Changed fields: {fields}")
        lines += [f"Warning: {warning}" for warning in self.warnings]
        return lines


def import_catalog(
    lines: Iterable[str], *, dry_run: bool = False, tax_class: str = ""
) -> ImportReport:
    """Create or update the catalog from CSV text, all rows or none.

    `lines` is open_catalog's result, or any text file opened with
    newline="". `tax_class` is the default for rows with an empty tax_class
    cell. Raises CatalogImportError listing every bad line and its fix, and
    then writes nothing. A dry run writes nothing either.
    """
    if tax_class and tax_class not in TaxClass.values:
        raise CatalogImportError(
            [
                f'tax class "{tax_class}" is not one of '
                f"{', '.join(TaxClass.values)}; choose one of them"
            ]
        )
    catalog = read_catalog(lines)

    with transaction.atomic():
        parent_skus = {row.parent_sku for row in catalog.rows if row.parent_sku}
        existing = set(
            Product.objects.filter(sku__in=parent_skus).values_list("sku", flat=True)
        )
        products, variants = group_rows(
            catalog, existing_product_skus=existing, default_tax_class=tax_class
        )
        plan = build_plan(products, variants)
        report = _report(plan, dry_run=dry_run, warnings=cost_warnings(catalog))
        if not dry_run:
            apply_plan(plan)
    return report


def _report(plan: ImportPlan, *, dry_run: bool, warnings: list[str]) -> ImportReport:
    return ImportReport(
        dry_run=dry_run,
        categories_created=len(plan.new_category_paths),
        products=ChangeCounts(
            created=len(plan.product_creates),
            updated=len(plan.product_updates),
            unchanged=plan.products_unchanged,
        ),
        variants=ChangeCounts(
            created=len(plan.variant_creates),
            updated=len(plan.variant_updates),
            unchanged=plan.variants_unchanged,
        ),
        changed_fields=dict(plan.changed_fields()),
        warnings=warnings,
    )
