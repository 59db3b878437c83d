"""Stripe payouts in the back office: what reached the bank, and from which
orders. Read-only, because payouts come from Stripe's webhook."""

from decimal import Decimal

from django.contrib import admin
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from accounting.models import JournalEntry, Payout, PayoutItem
from shop.money import ZERO, round_money

from .invoices import ReadOnlyAdmin

# Balance transaction types that come from a customer's payment and so
# should match a Payment; other types (adjustments, Stripe's own fees) do
# not.
PAYMENT_TYPES = ("charge", "payment", "refund")


class PayoutItemInline(admin.TabularInline):
    model = PayoutItem
    fields = [
        "stripe_balance_transaction_id",
        "type",
        "order_link",
        "gross_amount",
        "fee_amount",
        "net_amount",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[PayoutItem]:
        return super().get_queryset(request).select_related("payment__order")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Order")
    def order_link(self, item: PayoutItem) -> str:
        if item.payment is None:
            return "Not matched" if item.type in PAYMENT_TYPES else "-"
        order = item.payment.order
        url = reverse("admin:orders_order_change", args=[order.pk])
        return format_html('<a href="{}">{}</a>', url, order.number)


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = [
        "stripe_payout_id",
        "arrival_date",
        "amount",
        "status",
        "item_count",
        "fee_total",
        "unmatched_count",
    ]
    list_filter = ["status"]
    search_fields = [
        "=stripe_payout_id",
        "=items__stripe_balance_transaction_id",
        "=items__payment__order__number",
    ]
    date_hierarchy = "arrival_date"
    fields = [
        "stripe_payout_id",
        "arrival_date",
        "amount",
        "status",
        "item_count",
        "net_total",
        "fee_total",
        "unmatched_count",
        "journal_entry",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [PayoutItemInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payout]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                item_count=Count("items"),
                net_total=Sum("items__net_amount"),
                fee_total=Sum("items__fee_amount"),
                unmatched_count=Count(
                    "items",
                    filter=Q(
                        items__payment__isnull=True, items__type__in=PAYMENT_TYPES
                    ),
                ),
            )
        )

    @admin.display(description="Items", ordering="item_count")
    def item_count(self, payout: Payout) -> int:
        return payout.item_count  # type: ignore[attr-defined]

    @admin.display(description="Items net")
    def net_total(self, payout: Payout) -> Decimal:
        return _money(payout.net_total)  # type: ignore[attr-defined]

    @admin.display(description="Stripe fees")
    def fee_total(self, payout: Payout) -> Decimal:
        return _money(payout.fee_total)  # type: ignore[attr-defined]

    @admin.display(description="Not matched to an order")
    def unmatched_count(self, payout: Payout) -> int:
        return payout.unmatched_count  # type: ignore[attr-defined]

    @admin.display(description="Journal entry")
    def journal_entry(self, payout: Payout) -> str:
        entry = JournalEntry.objects.filter(payout=payout).first()
        if entry is None:
            return "-"
        try:
            url = reverse("admin:accounting_journalentry_change", args=[entry.pk])
        except NoReverseMatch:  # The journal's admin is not installed.
            return entry.event_key
        return format_html('<a href="{}">{}</a>', url, entry.event_key)


def _money(total: Decimal | None) -> Decimal:
    # SQLite sums decimals as floating point, so round back to the cent.
    return round_money(total or ZERO)
