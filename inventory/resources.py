"""CSV import and export of stock levels from the admin, one row per stock.

A row is found by `sku` and `location` (a location code; empty means the
default location). The settings columns (bin, supplier, reorder_point,
reorder_quantity, backorderable) are saved on the Stock row. `on_hand` is
a count of the shelf: the import never writes the quantity itself but
records the difference through inventory.stocktake as a STOCKTAKE
movement, valued and posted to the ledger like any stocktake. A stock with
no movements yet takes its first count as opening stock instead
(inventory.services.set_opening_stock), like a stock added in the admin.
An empty on_hand cell leaves the quantity as it is.

Counts are taken for the default location only, because the stock
services keep quantities at that location. Before the first row is read,
the Stock rows the file names are locked in variant-id order, the order
every stock writer locks in.
"""

from django.core.exceptions import ValidationError

from shop.csv_resources import CsvResource
from shop.import_cells import (
    CellField,
    CodeWidget,
    TextWidget,
    WholeNumberWidget,
    YesNoWidget,
    cell_text,
)
from shop.models import Variant

from . import services
from .models import Location, Stock, Supplier, default_location_id
from .stocktake import StocktakeError, record_stocktake

MAX_UNITS = 1_000_000
SETTINGS_FIELDS = [
    "bin_location",
    "supplier",
    "reorder_point",
    "reorder_quantity",
    "backorderable",
]


class SupplierWidget(TextWidget):
    """A supplier by its name, or blank for none."""

    def __init__(self):
        super().__init__(max_length=200)

    def clean(self, value, row=None, **kwargs) -> Supplier | None:
        name = super().clean(value, row, **kwargs)
        if not name:
            return None
        supplier = Supplier.objects.filter(name__iexact=name).first()
        if supplier is None:
            raise ValueError(
                f"'{name}' is not a supplier; check the spelling, or add the "
                "supplier in the admin's Suppliers list first"
            )
        return supplier


class StockResource(CsvResource):
    """Stock settings and counted quantities by SKU and location."""

    required_columns = ("sku",)

    sku = CellField(
        "variant__sku",
        "sku",
        CodeWidget(max_length=64, required=True, example="like MH01-M"),
    )
    product = CellField("variant", "product", readonly=True)
    location = CellField("location__code", "location", TextWidget(max_length=20))
    bin = CellField("bin_location", "bin", TextWidget(max_length=30))
    supplier = CellField("supplier", "supplier", SupplierWidget())
    reorder_point = CellField(
        "reorder_point",
        "reorder_point",
        WholeNumberWidget(unit="units", max_value=MAX_UNITS, blank=False),
    )
    reorder_quantity = CellField(
        "reorder_quantity",
        "reorder_quantity",
        WholeNumberWidget(unit="units", max_value=MAX_UNITS, blank=False),
    )
    backorderable = CellField("backorderable", "backorderable", YesNoWidget())
    on_hand = CellField(
        "quantity_on_hand",
        "on_hand",
        WholeNumberWidget(unit="units", max_value=MAX_UNITS),
        saves_null_values=False,
    )
    allocated = CellField("quantity_allocated", "allocated", readonly=True)

    class Meta:
        model = Stock
        import_id_fields = ["sku"]
        fields = [
            "sku",
            "product",
            "location",
            "bin",
            "supplier",
            "reorder_point",
            "reorder_quantity",
            "backorderable",
            "on_hand",
            "allocated",
        ]
        import_order = export_order = fields

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.default_location_code = Location.objects.get(pk=default_location_id()).code
        skus = [cell_text(sku) for sku in dataset["sku"]]
        list(
            Stock.objects.select_for_update()
            .filter(variant__sku__in=skus)
            .order_by("variant_id", "location_id")
        )

    def get_instance(self, instance_loader, row):
        return (
            Stock.objects.select_related("variant__product", "location", "supplier")
            .filter(
                variant__sku=cell_text(row.get("sku")),
                location__code=self._location_code(row),
            )
            .first()
        )

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # The stock's variant and location are its key, set once by
        # _set_key on a new stock and never changed by a row.
        if field.column_name not in ("sku", "location"):
            super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        instance.recorded_on_hand = instance.quantity_on_hand
        instance.saved_settings = self._settings(instance)
        errors = self._set_key(instance, row, kwargs)
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors.update(error.message_dict)
        if "on_hand" not in errors:
            errors.update(self._count_errors(instance))
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, **kwargs):
        # Quantities are checked by _count_errors and the stocktake; the
        # model's checks would compare a count with stale allocations.
        errors = dict(import_validation_errors or {})
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        counted = instance.quantity_on_hand
        instance.quantity_on_hand = instance.recorded_on_hand
        if is_create:
            instance.save()
        elif self._settings(instance) != instance.saved_settings:
            instance.save(update_fields=[*SETTINGS_FIELDS, "updated_at"])
        if counted != instance.recorded_on_hand:
            self._record_count(instance, counted)

    def save_instance(self, instance, is_create, row, **kwargs):
        self.import_user = kwargs.get("user")
        self.file_name = kwargs.get("file_name") or ""
        super().save_instance(instance, is_create, row, **kwargs)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related(
            "variant__product", "location", "supplier"
        ).order_by("variant__sku", "location__code")

    def _location_code(self, row) -> str:
        return cell_text(row.get("location")) or self.default_location_code

    def _set_key(self, stock: Stock, row, kwargs) -> dict:
        sku = cell_text(row.get("sku"))
        code = self._location_code(row)
        errors = {}
        repeated = self.repeated_key_error(
            (sku, code), f"sku '{sku}' at location '{code}'", kwargs
        )
        if repeated:
            errors["sku"] = [repeated]
        if stock.pk is not None:
            return errors

        variant = Variant.objects.filter(sku=sku).first()
        location = Location.objects.filter(code=code).first()
        if variant is None:
            errors["sku"] = [
                f"sku '{sku}' is not a variant of the shop; check it, or add the "
                "variant on its product's page first"
            ]
        if location is None:
            errors["location"] = [
                f"location '{code}' is not a location; use one of "
                f"{', '.join(Location.objects.values_list('code', flat=True))}"
            ]
        if not errors:
            stock.variant, stock.location = variant, location
        return errors

    def _count_errors(self, stock: Stock) -> dict:
        counted = stock.quantity_on_hand
        if counted == stock.recorded_on_hand or stock.location_id is None:
            return {}
        if stock.location_id != default_location_id():
            return {
                "on_hand": [
                    f"on_hand can be counted at the default location only; leave "
                    f"it at {stock.recorded_on_hand} for location "
                    f"'{stock.location.code}'"
                ]
            }
        if counted < stock.quantity_allocated:
            return {
                "on_hand": [
                    f"on_hand {counted} is below the {stock.quantity_allocated} "
                    "units allocated to paid orders; recount, or ship or release "
                    "those orders first"
                ]
            }
        return {}

    def _settings(self, stock: Stock) -> list:
        return [
            getattr(stock, "supplier_id" if name == "supplier" else name)
            for name in SETTINGS_FIELDS
        ]

    def _record_count(self, stock: Stock, counted: int) -> None:
        variant = stock.variant
        reason = f"CSV stock import {self.file_name}".strip()[:255]
        first_count = not stock.recorded_on_hand and not stock.movements.exists()
        try:
            if not first_count:
                record_stocktake(
                    counts={variant.pk: counted}, reason=reason, user=self.import_user
                )
            else:
                services.set_opening_stock(
                    variant=variant, quantity=counted, user=self.import_user
                )
        except (StocktakeError, ValueError) as error:
            raise ValidationError({"on_hand": [f"on_hand {error}"]}) from None
        stock.refresh_from_db()
