"""Stock actions on an order's admin page: ship, and settle oversold units.

The views are thin: each shows a confirmation page on GET and calls one
inventory.allocation service on POST, reporting the outcome to staff.
"""

from collections.abc import Callable
from typing import cast

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from inventory import allocation

from .models import Order, OrderLine

OVERSOLD_ACTIONS: dict[str, tuple[str, Callable[..., OrderLine]]] = {
    "backorder": ("Backorder", allocation.backorder_oversold_line),
    "cancel": ("Cancel", allocation.cancel_oversold_line),
}


class OrderStockActionsMixin(admin.ModelAdmin):
    """Adds "Mark shipped" and the oversold line actions to OrderAdmin."""

    def get_urls(self):
        ship_view = self.admin_site.admin_view(self.ship_view)
        oversold_view = self.admin_site.admin_view(self.oversold_view)
        return [
            path("<int:order_id>/ship/", ship_view, name="orders_order_ship"),
            path(
                "<int:order_id>/oversold/<int:line_id>/<str:action>/",
                oversold_view,
                name="orders_order_oversold",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Oversold units")
    def oversold_actions(self, order: Order) -> str:
        lines = [line for line in order.lines.all() if line.quantity_oversold]
        if not lines:
            return "None"
        refund_url = reverse("admin:accounting_refund_order", args=[order.pk])
        return format_html_join(
            "",
            '<p>{} {}: {} oversold · <a href="{}">Refund…</a> · '
            '<a href="{}">Backorder…</a> · <a href="{}">Cancel…</a></p>',
            (
                (
                    line.sku,
                    line.name,
                    line.quantity_oversold,
                    refund_url,
                    _oversold_url(order, line, "backorder"),
                    _oversold_url(order, line, "cancel"),
                )
                for line in lines
            ),
        )

    @admin.display(description="Shipping")
    def ship_link(self, order: Order) -> str:
        allocated = sum(line.quantity_allocated for line in order.lines.all())
        if order.status not in allocation.SHIPPABLE_STATUSES or not allocated:
            return f"Nothing to ship ({allocated} units allocated)"
        url = reverse("admin:orders_order_ship", args=[order.pk])
        return format_html('<a class="button" href="{}">Mark shipped…</a>', url)

    def ship_view(self, request: HttpRequest, order_id: int) -> HttpResponse:
        """Confirm, then ship every allocated unit of the order."""
        order = self._order_for_change(request, order_id)
        lines = [line for line in order.lines.all() if line.quantity_allocated]
        if request.method == "POST":
            try:
                movements = allocation.ship_lines(
                    order=order, quantities=None, user=_staff(request)
                )
            except allocation.AllocationError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                units = -sum(movement.quantity for movement in movements)
                order.refresh_from_db()
                self.message_user(
                    request,
                    f"Shipped {units} units; order {order.number} is now "
                    f"{order.get_status_display().lower()}.",
                    messages.SUCCESS,
                )
            return redirect("admin:orders_order_change", order.pk)
        return self._confirmation(
            request,
            order,
            title=f"Mark order {order.number} shipped",
            template="admin/orders/order/ship.html",
            lines=lines,
        )

    def oversold_view(
        self, request: HttpRequest, order_id: int, line_id: int, action: str
    ) -> HttpResponse:
        """Confirm, then backorder or cancel a line's oversold units."""
        order = self._order_for_change(request, order_id)
        line = get_object_or_404(OrderLine, pk=line_id, order=order)
        if action not in OVERSOLD_ACTIONS:
            raise PermissionDenied
        label, service = OVERSOLD_ACTIONS[action]
        if request.method == "POST":
            try:
                service(line=line, user=_staff(request))
            except allocation.AllocationError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{label}: {line.quantity_oversold} oversold units of "
                    f"{line.sku} on order {order.number}.",
                    messages.SUCCESS,
                )
            return redirect("admin:orders_order_change", order.pk)
        return self._confirmation(
            request,
            order,
            title=f"{label} oversold {line.sku} on order {order.number}",
            template="admin/orders/order/oversold.html",
            line=line,
            action=action,
        )

    def _order_for_change(self, request: HttpRequest, order_id: int) -> Order:
        if not request.user.has_perm("orders.change_order"):
            raise PermissionDenied
        return get_object_or_404(Order, pk=order_id)

    def _confirmation(
        self, request: HttpRequest, order: Order, *, title: str, template: str, **extra
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "order": order,
            "opts": Order._meta,
            **extra,
        }
        return TemplateResponse(request, template, context)


def _staff(request: HttpRequest) -> User:
    # admin_view lets only logged-in staff through.
    return cast(User, request.user)


def _oversold_url(order: Order, line: OrderLine, action: str) -> str:
    return reverse("admin:orders_order_oversold", args=[order.pk, line.pk, action])
