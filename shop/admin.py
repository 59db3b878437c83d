from decimal import Decimal

from django.contrib import admin
from django.db.models import Count, Max, Min, Sum
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Address, Category, Customer, Product, Variant
from .money import format_money


@admin.register(Category)
class CategoryAdmin(TreeAdmin):
    form = movenodeform_factory(Category)
    list_display = ["name", "slug", "default_weight_g", "packaging"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "_position", "_ref_node_id"]}),
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
    ]
    readonly_fields = ["quantity_on_hand"]
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


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
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


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "phone", "order_count", "created_at"]
    search_fields = ["email", "first_name", "last_name", "phone"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["user"]
    inlines = [AddressInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(order_total=Count("orders"))

    @admin.display(description="Orders", ordering="order_total")
    def order_count(self, customer) -> int:
        return customer.order_total
