from decimal import Decimal

from django.contrib import admin
from django.db.models import Count, Max, Min, Sum
from django.urls import reverse
from django.utils.html import format_html
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from . import admin_webhooks  # noqa: F401  (webhook endpoints, deliveries)
from .admin_csv import CsvImportExportMixin
from .admin_customers import CustomerAdminMixin
from .admin_history import ChangeHistoryAdmin
from .admin_variants import VariantAdminForm, VariantInlineFormSet
from .customer_resources import CustomerResource
from .models import Address, Category, Customer, Product, Variant
from .money import format_money
from .resources import ProductResource


@admin.register(Category)
class CategoryAdmin(TreeAdmin):
    form = movenodeform_factory(Category)
    list_display = ["name", "slug", "default_weight_g", "packaging"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        # django-treebeard 7 renamed the form's move fields _position and
        # _ref_node_id to treebeard_position and treebeard_ref_node.
        (
            None,
            {"fields": ["name", "slug", "treebeard_position", "treebeard_ref_node"]},
        ),
        (
            "Default packaging",
            {
                "description": (
                    "Used for products in this category that have no weight "
                    "or dimensions of their own."
                ),
                "fields": [
                    "default_weight_g",
                    ("default_length_cm", "default_width_cm", "default_height_cm"),
                ],
            },
        ),
    ]

    @admin.display(description="Packaging (cm)")
    def packaging(self, category: Category) -> str:
        sides = [
            category.default_length_cm,
            category.default_width_cm,
            category.default_height_cm,
        ]
        if None in sides:
            return "—"
        return " × ".join(f"{side:g}" for side in sides)


class VariantInline(admin.TabularInline):
    model = Variant
    form = VariantAdminForm
    formset = VariantInlineFormSet
    extra = 0
    fields = [
        "sku",
        "size",
        "colour",
        "price",
        "barcode",
        "weight_g",
        "length_cm",
        "width_cm",
        "height_cm",
        "is_active",
        "quantity_on_hand",
        "history_link",
    ]
    readonly_fields = ["quantity_on_hand", "history_link"]
    show_change_link = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(units_on_hand=Sum("stock_levels__quantity_on_hand"))
        )

    @admin.display(description="On hand")
    def quantity_on_hand(self, variant: Variant) -> int | str:
        units = getattr(variant, "units_on_hand", None)
        return "—" if units is None else units

    @admin.display(description="History")
    def history_link(self, variant: Variant) -> str:
        if variant.pk is None:
            return "—"
        url = reverse("admin:shop_variant_history", args=[variant.pk])
        return format_html('<a href="{}">Price history</a>', url)


@admin.register(Product)
class ProductAdmin(CsvImportExportMixin, ChangeHistoryAdmin):
    list_display = [
        "name",
        "sku",
        "category",
        "tax_class",
        "price_range",
        "variant_count",
        "is_active",
    ]
    list_filter = ["is_active", "tax_class", "category"]
    list_select_related = ["category"]
    search_fields = ["name", "sku", "variants__sku", "variants__barcode"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [VariantInline]
    list_per_page = 50
    # CSV import and export: one row per variant (shop.resources).
    resource_classes = [ProductResource]
    csv_models = (Product, Variant)
    export_file_stem = "products"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                variant_total=Count("variants"),
                lowest_price=Min("variants__price"),
                highest_price=Max("variants__price"),
            )
        )

    def get_data_for_export(self, request, queryset, **kwargs):
        variants = Variant.objects.filter(product__in=queryset.values("pk"))
        return super().get_data_for_export(request, variants, **kwargs)

    @admin.display(description="Variants", ordering="variant_total")
    def variant_count(self, product) -> int:
        return product.variant_total

    @admin.display(description="Price", ordering="lowest_price")
    def price_range(self, product) -> str:
        if product.lowest_price is None:
            return "—"
        # SQLite returns aggregates of decimals as floats' digits, so
        # format through the money helper rather than str().
        lowest = format_money(Decimal(product.lowest_price))
        highest = format_money(Decimal(product.highest_price))
        return lowest if lowest == highest else f"{lowest}–{highest}"


@admin.register(Variant)
class VariantAdmin(ChangeHistoryAdmin):
    """Variants one at a time, for their price history; new variants are
    added on their product's page."""

    form = VariantAdminForm
    list_display = ["sku", "product", "option_label", "price", "is_active"]
    list_select_related = ["product"]
    list_filter = ["is_active"]
    search_fields = ["sku", "barcode", "product__name"]
    fields = [
        "product",
        "sku",
        ("size", "colour"),
        "price",
        "barcode",
        "weight_g",
        ("length_cm", "width_cm", "height_cm"),
        "is_active",
    ]
    readonly_fields = ["product"]

    def has_add_permission(self, request) -> bool:
        return False


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0


@admin.register(Customer)
class CustomerAdmin(CsvImportExportMixin, CustomerAdminMixin, ChangeHistoryAdmin):
    list_display = ["email", "full_name", "phone", "order_count", "created_at"]
    list_filter = ["marketing_consent", "marketing_consent_source"]
    search_fields = ["email", "first_name", "last_name", "phone"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["user"]
    inlines = [AddressInline]
    # CSV import and export (shop.customer_resources).
    resource_classes = [CustomerResource]
    export_file_stem = "customers"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(order_total=Count("orders"))

    @admin.display(description="Orders", ordering="order_total")
    def order_count(self, customer) -> int:
        return customer.order_total


from . import admin_jobs  # noqa: E402, F401  (the "Files and long actions" page)
