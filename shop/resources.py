"""CSV import and export of the catalog from the admin, one row per variant.

A row's `sku` finds its variant; a SKU the shop does not have adds a
variant. The product columns (product_name, slug, category, tax_class,
product_active) describe the variant's product, and `slug` names it: rows
with the same slug are variants of one product and must agree on those
columns. A new slug creates a product whose SKU is the row's SKU, and an
existing variant cannot move to another product by a new slug. Categories
must already exist, written as their path ("Men > Tops > Tees", matched
regardless of case), so a misspelt path cannot create a category.
Rows are read in file order, and the preview runs the whole file, so a
product created on one row is found by the rows after it.

A column the file leaves out is not changed. Stock is not in this file:
inventory.resources imports counts and stock settings.
"""

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from .catalog_import.planning import CategoryTree
from .csv_resources import CsvResource, sheet_row
from .import_cells import (
    BarcodeWidget,
    CellField,
    CentimetreWidget,
    CodeWidget,
    MoneyWidget,
    TextWidget,
    WholeNumberWidget,
    YesNoWidget,
    cell_text,
)
from .models import Category, Product, TaxClass, Variant
from .skus import find_variant_with_sku

CATEGORY_SEPARATOR = " > "
MAX_GRAMS = 2_147_483_647

# Columns that describe the product rather than the variant, with the
# Product field each sets.
PRODUCT_COLUMNS = {
    "product_name": "name",
    "slug": "slug",
    "category": "category",
    "tax_class": "tax_class",
    "product_active": "is_active",
}


class TaxClassWidget(TextWidget):
    def __init__(self):
        super().__init__(max_length=20, required=True, example="like standard")

    def clean(self, value, row=None, **kwargs) -> str:
        text = super().clean(value, row, **kwargs).lower()
        if text not in TaxClass.values:
            raise ValueError(
                f"'{cell_text(value)}' is not a tax class; use one of "
                f"{', '.join(TaxClass.values)}"
            )
        return text


class CategoryPathWidget(TextWidget):
    """A category by its path of names, matched regardless of case."""

    def __init__(self):
        super().__init__(
            max_length=1000, required=True, example="like Men > Tops > Tees"
        )
        self._tree: CategoryTree | None = None

    @property
    def tree(self) -> CategoryTree:
        # Read once per import or export, in one query.
        if self._tree is None:
            self._tree = CategoryTree()
        return self._tree

    def clean(self, value, row=None, **kwargs) -> Category:
        text = super().clean(value, row, **kwargs)
        path = tuple(name.strip() for name in text.split(CATEGORY_SEPARATOR.strip()))
        category = self.tree.find(path)
        if category is None:
            raise ValueError(
                f"'{text}' is not a category of the shop; correct the path, or "
                "add the category in the admin's Categories list first"
            )
        return category

    def render(self, value, obj=None, **kwargs) -> str:
        if value is None:
            return ""
        return CATEGORY_SEPARATOR.join(self.tree.paths.get(value.pk, (value.name,)))


class SlugWidget(CodeWidget):
    def __init__(self):
        super().__init__(max_length=255, required=True, example="like chaz-hoodie")

    def clean(self, value, row=None, **kwargs) -> str:
        text = super().clean(value, row, **kwargs)
        if slugify(text) != text:
            raise ValueError(
                f"'{text}' is not a valid slug; use lower-case letters, digits "
                f"and hyphens, like '{slugify(text) or 'chaz-hoodie'}'"
            )
        return text


class ProductResource(CsvResource):
    """Variants with their product's name, slug, category and tax class."""

    required_columns = ("sku",)

    sku = CellField(
        "sku", "sku", CodeWidget(max_length=64, required=True, example="like MH01-M")
    )
    barcode = CellField("barcode", "barcode", BarcodeWidget())
    product_name = CellField(
        "product__name",
        "product_name",
        TextWidget(max_length=255, required=True, example="like Chaz Hoodie"),
    )
    slug = CellField("product__slug", "slug", SlugWidget())
    category = CellField("product__category", "category", CategoryPathWidget())
    tax_class = CellField("product__tax_class", "tax_class", TaxClassWidget())
    price = CellField("price", "price", MoneyWidget())
    size = CellField("size", "size", TextWidget(max_length=32))
    colour = CellField("colour", "colour", TextWidget(max_length=32))
    weight_g = CellField(
        "weight_g", "weight_g", WholeNumberWidget(unit="grams", max_value=MAX_GRAMS)
    )
    length_cm = CellField("length_cm", "length_cm", CentimetreWidget())
    width_cm = CellField("width_cm", "width_cm", CentimetreWidget())
    height_cm = CellField("height_cm", "height_cm", CentimetreWidget())
    active = CellField("is_active", "active", YesNoWidget())
    product_active = CellField("product__is_active", "product_active", YesNoWidget())

    class Meta:
        model = Variant
        import_id_fields = ["sku"]
        fields = [
            "sku",
            "barcode",
            "product_name",
            "slug",
            "category",
            "tax_class",
            "price",
            "size",
            "colour",
            "weight_g",
            "length_cm",
            "width_cm",
            "height_cm",
            "active",
            "product_active",
        ]
        import_order = export_order = fields

    def before_import(self, dataset, **kwargs):
        # Rows of one product, by slug: the first row's number and values.
        self.product_rows: dict[str, tuple[int, dict]] = {}
        # The first row of each SKU in lower case: its number and SKU.
        self.sku_rows: dict[str, tuple[int, str]] = {}
        super().before_import(dataset, **kwargs)

    def get_instance(self, instance_loader, row):
        sku = cell_text(row.get("sku"))
        return Variant.objects.select_related("product").filter(sku=sku).first()

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # Product columns are read by _apply_product_columns.
        if field.column_name not in PRODUCT_COLUMNS:
            super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.message_dict
        repeated = self.repeated_key_error(
            instance.sku, f"sku '{instance.sku}'", kwargs
        ) or self._sku_case_error(instance, kwargs)
        if repeated:
            errors["sku"] = [repeated]
        errors.update(self._apply_product_columns(instance, row, kwargs))
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, **kwargs):
        # A new product has no id until the row is saved, so the variant's
        # product is checked by _apply_product_columns, not by full_clean.
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=[*self.attributes_of(errors), "product"])
        except ValidationError as error:
            errors.update(self.column_errors(error))
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance.product_id is None:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def do_instance_save(self, instance, is_create):
        product = instance.product
        if product.pk is None or getattr(instance, "product_changed", False):
            product._change_reason = getattr(instance, "_change_reason", "")
            product.save()
        instance.product = product
        super().do_instance_save(instance, is_create)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("product__category").order_by(
            "product__name", "id"
        )

    def _sku_case_error(self, variant: Variant, kwargs) -> str:
        """Return an error when the row's SKU differs only in letter case
        from an earlier row's or, for a new variant, from a stored SKU."""
        sku = variant.sku
        if not sku:
            return ""
        first_row, first_sku = self.sku_rows.setdefault(
            sku.lower(), (sheet_row(kwargs), sku)
        )
        if first_sku != sku:
            return (
                f"sku '{sku}' differs from sku '{first_sku}' on row {first_row} "
                "only in letter case, and SKUs are matched ignoring case; keep "
                "one row for it, or choose another SKU"
            )
        if variant.pk is not None:
            return ""
        existing = find_variant_with_sku(sku)
        if existing is None:
            return ""
        return (
            f"sku '{sku}' differs from the shop's sku '{existing.sku}' only in "
            "letter case, and SKUs are matched ignoring case; write "
            f"'{existing.sku}' to update that variant, or choose another SKU"
        )

    def _apply_product_columns(self, variant: Variant, row, kwargs) -> dict:
        """Set the row's product columns on the variant's product (a new
        unsaved one for a new slug), returning errors by column."""
        values, errors = self._product_values(row)
        product, error = self._row_product(variant, values.get("slug", ""), row)
        if error:
            errors["slug"] = [error]
        if errors or product is None:
            return errors

        errors.update(self._conflicts_with_earlier_rows(product.slug, values, kwargs))
        changed = False
        for column, value in values.items():
            field = PRODUCT_COLUMNS[column]
            if field == "category":
                changed |= product.category_id != value.pk
            else:
                changed |= getattr(product, field) != value
            setattr(product, field, value)
        if product.pk is None:
            errors.update(self._new_product_errors(product, values))
        variant.product = product
        variant.product_changed = changed
        return errors

    def _product_values(self, row) -> tuple[dict, dict]:
        values, errors = {}, {}
        for column in PRODUCT_COLUMNS:
            if column not in row:
                continue
            try:
                values[column] = self.fields[column].clean(row)
            except ValueError as error:
                errors[column] = [str(error)]
        return values, errors

    def _row_product(self, variant: Variant, slug: str, row) -> tuple:
        """Return the product the row's variant belongs to, and an error."""
        if variant.pk is not None:
            current = variant.product
            if slug and slug != current.slug:
                return None, (
                    f"slug '{slug}' is not the slug of {variant.sku}'s product "
                    f"'{current.slug}'; keep '{current.slug}', because an import "
                    "cannot move a variant to another product"
                )
            return current, ""
        if not slug:
            if "slug" in row:
                return None, ""
            suggestion = slugify(cell_text(row.get("product_name"))) or "chaz-hoodie"
            return None, (
                f"slug is missing; add a slug column naming the new variant's "
                f"product, like '{suggestion}'"
            )
        existing = Product.objects.filter(slug=slug).first()
        return existing or Product(slug=slug, sku=variant.sku), ""

    def _conflicts_with_earlier_rows(self, slug: str, values: dict, kwargs) -> dict:
        first_row, first_values = self.product_rows.setdefault(
            slug, (sheet_row(kwargs), values)
        )
        errors = {}
        for column, value in values.items():
            if column in first_values and first_values[column] != value:
                errors[column] = [
                    f"{column} differs from row {first_row}, a variant of the same "
                    f"product (slug '{slug}'); give every variant of a product the "
                    f"same {column}"
                ]
        return errors

    def _new_product_errors(self, product: Product, values: dict) -> dict:
        errors = {}
        for column in ("product_name", "category"):
            if column not in values:
                errors[column] = [
                    f"{column} is missing; a new product (slug '{product.slug}') "
                    f"needs its {column}"
                ]
        taken = Product.objects.filter(sku=product.sku).first()
        if taken is not None:
            errors["sku"] = [
                f"sku '{product.sku}' is the SKU of product '{taken.slug}', so "
                f"it cannot start product '{product.slug}'; use slug "
                f"'{taken.slug}' to add the variant to that product"
            ]
        return errors
