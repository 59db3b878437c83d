"""Change list filters of the order admin that a plain field cannot express."""

from django.contrib import admin
from django.db.models import Exists, OuterRef

from .dashboard import backordered_lines


class BackorderFilter(admin.SimpleListFilter):
    """Orders still to ship with at least one line waiting for stock."""

    title = "backorder"
    parameter_name = "backorder"

    def lookups(self, request, model_admin):
        return [("waiting", "Lines waiting for stock")]

    def queryset(self, request, queryset):
        if self.value() != "waiting":
            return queryset
        return queryset.filter(
            Exists(backordered_lines().filter(order_id=OuterRef("pk")))
        )
