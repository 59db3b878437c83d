"""Group checked catalog rows into products and their variants.

A row with a parent_sku is a variant of the product with that SKU. The
parent need not be a row of its own: variant MH01-XS-Black with parent MH01
makes product MH01, named from the variant's name without its "-XS-Black"
ending, and the ending gives the variant's size (XS) and colour (Black). A
row without a parent_sku is a simple product: a product and one variant
with the row's SKU, unless other rows name it as their parent, in which case
it only describes that product.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import CatalogImportError
from .reading import DIMENSION_COLUMNS, CatalogFile, CatalogRow

# Sizes as the Luma demo and most apparel files write them: XS to XXXL,
# or a waist or numeric size such as 32.
SIZE_PATTERN = re.compile(r"^(X{0,3}S|M|X{0,3}L|[2-5]XL|\d{1,3})$", re.IGNORECASE)


@dataclass
class ProductSpec:
    """The file's values for one product; None leaves a field as it is."""

    sku: str
    line: int
    category_path: tuple[str, ...] | None = None
    name: str | None = None
    description: str | None = None
    tax_class: str | None = None


@dataclass
class VariantSpec:
    """The file's values for one variant, and the SKU of its product."""

    sku: str
    line: int
    product_sku: str
    values: dict[str, Any] = field(default_factory=dict)


def group_rows(
    catalog: CatalogFile, *, existing_product_skus: set[str], default_tax_class: str
) -> tuple[dict[str, ProductSpec], list[VariantSpec]]:
    """Turn rows into product specs keyed by SKU and a variant spec per row.

    `existing_product_skus` are the SKUs of products already in the shop
    that the file names as parents. Raises CatalogImportError for a parent
    that is unknown and for variants of one product in different categories.
    """
    parent_skus = {row.parent_sku for row in catalog.rows if row.parent_sku}
    products: dict[str, ProductSpec] = {}
    variants: list[VariantSpec] = []
    errors: list[str] = []

    for row in catalog.rows:
        if not row.parent_sku and row.sku in parent_skus:
            products[row.sku] = _product_spec(row, row.name, catalog, default_tax_class)
    for row in catalog.rows:
        if row.sku in products and not row.parent_sku:
            continue
        try:
            variants.append(
                _variant_spec(
                    row, catalog, products, existing_product_skus, default_tax_class
                )
            )
        except ValueError as error:
            errors.append(f"line {row.line}: {error}")

    if errors:
        raise CatalogImportError(errors)
    return products, variants


def _variant_spec(
    row: CatalogRow,
    catalog: CatalogFile,
    products: dict[str, ProductSpec],
    existing_product_skus: set[str],
    default_tax_class: str,
) -> VariantSpec:
    spec = VariantSpec(sku=row.sku, line=row.line, product_sku=row.parent_sku)
    spec.values = _variant_values(row, catalog)
    if not row.parent_sku:
        spec.product_sku = row.sku
        products[row.sku] = _product_spec(row, row.name, catalog, default_tax_class)
        return spec

    ending = row.sku.removeprefix(row.parent_sku)
    if ending != row.sku and ending.startswith("-"):
        size, colour = split_options(ending[1:])
        spec.values.update(size=size, colour=colour)
        if row.parent_sku not in products:
            name = row.name.removesuffix(ending).strip() or row.name
            products[row.parent_sku] = _product_spec(
                row, name, catalog, default_tax_class, sku=row.parent_sku
            )
    elif row.parent_sku not in products:
        if row.parent_sku not in existing_product_skus:
            raise ValueError(
                f'parent_sku "{row.parent_sku}" is unknown: sku "{row.sku}" does '
                f'not start with "{row.parent_sku}-" and no product has that SKU; '
                "correct parent_sku or import the parent product first"
            )
        return spec

    _check_same_category(row, products[row.parent_sku])
    return spec


def _product_spec(
    row: CatalogRow,
    name: str,
    catalog: CatalogFile,
    default_tax_class: str,
    *,
    sku: str = "",
) -> ProductSpec:
    has_description = "description" in catalog.columns
    return ProductSpec(
        sku=sku or row.sku,
        line=row.line,
        category_path=row.category_path,
        name=name,
        description=row.description if has_description else None,
        tax_class=row.tax_class or default_tax_class or None,
    )


def _variant_values(row: CatalogRow, catalog: CatalogFile) -> dict[str, Any]:
    values: dict[str, Any] = {"price": row.price}
    if "barcode" in catalog.columns:
        values["barcode"] = row.barcode
    if "weight_g" in catalog.columns:
        values["weight_g"] = row.weight_g
    for column in DIMENSION_COLUMNS:
        if column in catalog.columns:
            values[column] = row.dimensions[column]
    if "cost" in catalog.columns:
        values["unit_cost"] = row.cost
    return values


def _check_same_category(row: CatalogRow, product: ProductSpec) -> None:
    if product.category_path is None or row.category_path == product.category_path:
        return
    raise ValueError(
        f'category "{" > ".join(row.category_path)}" differs from '
        f'"{" > ".join(product.category_path)}" on line {product.line} for '
        f"product {product.sku}; give every variant of a product the same category"
    )


def split_options(ending: str) -> tuple[str, str]:
    """Split a SKU ending such as "XS-Black" into (size, colour).

    One part alone is a size when it looks like one (S, XL, 32), otherwise a
    colour. With more parts, the first is the size and the rest the colour
    ("M-Light-Blue" gives size M, colour Light-Blue).
    """
    size, _, colour = ending.partition("-")
    if colour:
        return size, colour
    if SIZE_PATTERN.match(size):
        return size, ""
    return "", size
