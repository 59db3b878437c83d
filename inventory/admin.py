from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from shop.admin_csv import CsvImportExportMixin
from shop.admin_history import ChangeHistoryAdmin
from shop.admin_pagination import DeferredJoinPaginator

from . import services
from .admin_movements import movements_table
from .models import Stock, StockMovement
from .resources import StockResource

# A bound well inside the database's integer range; no shop counts a
# million units of one variant by hand.
MAX_UNITS = 1_000_000

# Fields staff edit directly; quantities change only through movements.
SETTINGS_FIELDS = [
    "supplier",
    "reorder_point",
    "reorder_quantity",
    "backorderable",
    "bin_location",
]


class StockAdjustmentForm(forms.ModelForm):
    """Edit a stock's reorder settings, and change its count only through a
    recorded movement with a reason."""

    quantity_change = forms.IntegerField(
        required=False,
        min_value=-MAX_UNITS,
        max_value=MAX_UNITS,
        help_text="Units to add (positive) or remove (negative); empty for none.",
    )
    reason = forms.CharField(
        required=False,
        max_length=255,
        help_text="Why the count changed, e.g. 'damaged in store'.",
    )

    class Meta:
        model = Stock
        fields = SETTINGS_FIELDS

    def clean_quantity_change(self) -> int | None:
        change = self.cleaned_data["quantity_change"]
        if not change:
            return None
        stock = self.instance
        problem = services.removal_problem(stock, change, sku=stock.variant.sku)
        if problem:
            raise ValidationError(problem)
        return change

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("quantity_change") and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Give a reason for changing the count.")
        return cleaned


class StockOpeningForm(forms.ModelForm):
    quantity = forms.IntegerField(
        min_value=0, max_value=MAX_UNITS, help_text="Units counted on hand."
    )

    class Meta:
        model = Stock
        fields = ["variant"]


@admin.register(Stock)
class StockAdmin(CsvImportExportMixin, ChangeHistoryAdmin):
    list_display = [
        "sku",
        "product",
        "quantity_on_hand",
        "quantity_allocated",
        "reorder_point",
        "supplier",
        "backorderable",
    ]
    list_select_related = ["variant__product", "supplier"]
    search_fields = ["variant__sku", "variant__barcode", "variant__product__name"]
    list_filter = ["backorderable", "supplier", "variant__product__category"]
    # Counting only the filtered rows saves a second COUNT(*) per page.
    show_full_result_count = False
    # Joins the variant, product and supplier for the page's rows only.
    paginator = DeferredJoinPaginator
    readonly_fields = [
        "variant",
        "location",
        "quantity_on_hand",
        "quantity_allocated",
        "updated_at",
        "recent_movements",
    ]
    raw_id_fields = ["variant"]
    object_history_template = "admin/inventory/stock/object_history.html"
    # CSV import of settings and counts, and export (inventory.resources).
    resource_classes = [StockResource]
    export_file_stem = "stock"

    @admin.display(description="SKU", ordering="variant__sku")
    def sku(self, stock: Stock) -> str:
        return stock.variant.sku

    @admin.display(description="Product", ordering="variant__product__name")
    def product(self, stock: Stock) -> str:
        return str(stock.variant)

    @admin.display(description="Recent movements")
    def recent_movements(self, stock: Stock) -> str:
        return movements_table(stock)

    def history_view(self, request, object_id, extra_context=None):
        stock = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "movements_table": movements_table(stock) if stock else "",
        }
        return super().history_view(request, object_id, extra_context=extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = StockAdjustmentForm if obj else StockOpeningForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            # Saving only changed settings keeps the stock's history free
            # of entries that record no change.
            if set(form.changed_data) & set(SETTINGS_FIELDS):
                obj.save(update_fields=[*SETTINGS_FIELDS, "updated_at"])
            if form.cleaned_data["quantity_change"]:
                services.adjust_stock(
                    variant=obj.variant,
                    quantity_change=form.cleaned_data["quantity_change"],
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                )
            obj.refresh_from_db()
        else:
            variant = form.cleaned_data["variant"]
            services.set_opening_stock(
                variant=variant,
                quantity=form.cleaned_data["quantity"],
                user=request.user,
            )
            obj.pk = Stock.objects.values_list("pk", flat=True).get(variant=variant)
            obj.refresh_from_db()


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "sku",
        "kind",
        "quantity",
        "reason",
        "reference",
        "created_by",
    ]
    list_filter = ["kind", "created_at"]
    list_select_related = ["stock__variant", "created_by"]
    search_fields = ["stock__variant__sku", "reference", "reason"]
    date_hierarchy = "created_at"

    @admin.display(description="SKU", ordering="stock__variant__sku")
    def sku(self, movement: StockMovement) -> str:
        return movement.stock.variant.sku

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# Imported for their admin.register calls.
from . import admin_purchasing, admin_stocktake  # noqa: E402, F401
