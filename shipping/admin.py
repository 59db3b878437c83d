from django.contrib import admin

from shipping.models import CarrierCall, PackagingBox
from shipping.selectors import ATTENTION_DAYS, unresolved_failed_calls


@admin.register(PackagingBox)
class PackagingBoxAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "inner_length_cm",
        "inner_width_cm",
        "inner_height_cm",
        "empty_weight_g",
        "max_weight_g",
        "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "is_active"]}),
        (
            "Inside, for packing (cm)",
            {"fields": ["inner_length_cm", "inner_width_cm", "inner_height_cm"]},
        ),
        (
            "Outside, for carrier rates (cm)",
            {"fields": ["outer_length_cm", "outer_width_cm", "outer_height_cm"]},
        ),
        ("Weight (g)", {"fields": ["empty_weight_g", "max_weight_g"]}),
    ]


class CallAttentionFilter(admin.SimpleListFilter):
    """Failed calls whose operation was not retried since (the dashboard's)."""

    title = "attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("failed", f"Failed, not retried (last {ATTENTION_DAYS} days)")]

    def queryset(self, request, queryset):
        if self.value() != "failed":
            return queryset
        return queryset.filter(pk__in=unresolved_failed_calls().values("pk"))


@admin.register(CarrierCall)
class CarrierCallAdmin(admin.ModelAdmin):
    """Every request sent to a carrier, read-only: a record, not a setting."""

    list_display = [
        "created_at",
        "carrier",
        "operation",
        "method",
        "status_code",
        "succeeded",
        "attempt",
        "duration_ms",
        "reference",
    ]
    list_filter = [
        CallAttentionFilter,
        "carrier",
        "operation",
        "succeeded",
        "status_code",
    ]
    search_fields = ["reference", "error", "url"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
