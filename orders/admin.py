from django import forms
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from shop.admin_history import ChangeHistoryAdmin
from shop.money import format_rate

from . import admin_dashboard, admin_lookup  # noqa: F401  (index, /admin/lookup/)
from .admin_filters import BackorderFilter
from .admin_search import SEARCH_HELP_TEXT, search_orders
from .admin_stock import OrderStockActionsMixin
from .forms import PostalCodeField, postal_code_province_error
from .models import Order, OrderLine, OrderTax, Payment, StripeEvent


class ReadOnlyInline(admin.TabularInline):
    """An inline for recorded facts: shown in full, never edited here."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = [
        "sku",
        "name",
        "options",
        "tax_class",
        "quantity",
        "unit_price",
        "subtotal_amount",
        "tax_amount",
        "quantity_allocated",
        "quantity_backordered",
        "quantity_shipped",
        "quantity_oversold",
    ]


class OrderTaxInline(ReadOnlyInline):
    model = OrderTax
    fields = ["name", "rate_percent", "taxable_amount", "shipping_amount", "amount"]

    @admin.display(description="Rate")
    def rate_percent(self, tax: OrderTax) -> str:
        return format_rate(tax.rate)


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = [
        "stripe_payment_intent_id",
        "status",
        "amount",
        "card_brand",
        "card_last4",
        "failure_message",
        "created_at",
        "succeeded_at",
    ]


class OrderAddressForm(forms.ModelForm):
    """Corrections to the delivery address of an order already placed.

    The province stays as it was: taxes were charged for it, so a move to
    another province is a refund and a new order. A corrected postal code
    must still be in that province.
    """

    ship_postal_code = PostalCodeField(label="Postal code")

    class Meta:
        model = Order
        fields = [
            "ship_name",
            "ship_company",
            "ship_line1",
            "ship_line2",
            "ship_city",
            "ship_postal_code",
            "ship_phone",
        ]

    def clean_ship_postal_code(self) -> str:
        postal_code = self.cleaned_data["ship_postal_code"]
        error = postal_code_province_error(postal_code, self.instance.ship_province)
        if error:
            raise forms.ValidationError(error)
        return postal_code


@admin.register(Order)
class OrderAdmin(OrderStockActionsMixin, ChangeHistoryAdmin):
    form = OrderAddressForm
    list_display = [
        "number",
        "created_at",
        "ship_name",
        "email",
        "ship_province",
        "status",
        "total_amount",
        "paid_at",
    ]
    list_filter = [
        "status",
        BackorderFilter,
        "channel",
        "shipping_preference",
        "ship_province",
        "created_at",
        "paid_at",
    ]
    # Non-empty so the search box shows. search_orders does the search.
    search_fields = ["number"]
    search_help_text = SEARCH_HELP_TEXT
    # No date_hierarchy: its list of years reads every order (a quarter of a
    # second at 100,000), and the created_at filter offers the usual ranges.
    # Counting only the filtered rows saves a second COUNT(*) per page.
    show_full_result_count = False
    inlines = [OrderLineInline, OrderTaxInline, PaymentInline]
    readonly_fields = [
        "number",
        "status",
        "customer",
        "email",
        "ship_province",
        "created_at",
        "paid_at",
        "subtotal_amount",
        "shipping_method_name",
        "shipping_preference",
        "shipping_amount",
        "tax_amount",
        "total_amount",
        "invoice_link",
        "refund_link",
        "status_page_link",
        "shipments_summary",
        "oversold_actions",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("number", "status"),
                    ("customer", "email"),
                    ("created_at", "paid_at"),
                    "invoice_link",
                    "refund_link",
                    "status_page_link",
                    "shipments_summary",
                    "oversold_actions",
                ]
            },
        ),
        (
            "Ship to",
            {
                "fields": [
                    "ship_name",
                    "ship_company",
                    "ship_line1",
                    "ship_line2",
                    ("ship_city", "ship_province", "ship_postal_code"),
                    "ship_phone",
                ]
            },
        ),
        (
            "Amounts",
            {
                "fields": [
                    "subtotal_amount",
                    ("shipping_method_name", "shipping_amount"),
                    "shipping_preference",
                    "tax_amount",
                    "total_amount",
                ]
            },
        ),
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_search_results(self, request, queryset, search_term):
        return search_orders(queryset, search_term), False

    @admin.display(description="Invoice")
    def invoice_link(self, order: Order) -> str:
        invoice = getattr(order, "invoice", None)
        if invoice is None:
            return "Not issued"
        url = reverse("admin:accounting_invoice_change", args=[invoice.pk])
        label = f"Invoice {invoice.number}"
        try:
            pdf_url = reverse("admin:accounting_invoice_pdf", args=[invoice.pk])
        except NoReverseMatch:
            return format_html('<a href="{}">{}</a>', url, label)
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">PDF</a>', url, label, pdf_url
        )

    @admin.display(description="Refunds")
    def refund_link(self, order: Order) -> str:
        if not order.is_paid:
            return "Not paid"
        url = reverse("admin:accounting_refund_order", args=[order.pk])
        return format_html('<a href="{}">Refund…</a>', url)

    @admin.display(description="Customer's status page")
    def status_page_link(self, order: Order) -> str:
        url = order.get_absolute_url()
        return format_html('<a href="{}" target="_blank">{}</a>', url, url)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = [
        "stripe_payment_intent_id",
        "order",
        "status",
        "amount",
        "card_brand",
        "card_last4",
        "created_at",
    ]
    list_filter = ["status", "created_at"]
    list_select_related = ["order"]
    search_fields = ["stripe_payment_intent_id", "=order__number", "order__email"]
    readonly_fields = [field.name for field in Payment._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "received_at"]
    list_filter = ["type"]
    search_fields = ["event_id"]
    readonly_fields = ["event_id", "type", "received_at"]

    def has_add_permission(self, request) -> bool:
        return False
