"""Stock actions on an order's admin page: shipments and oversold units.

The views are thin: each shows a confirmation page on GET and calls one
inventory.allocation or fulfillment.services service on POST, reporting
the outcome to staff.
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

from fulfillment import selectors as fulfillment_selectors
from fulfillment import services as fulfillment_services
from fulfillment.admin import shipment_summary_html
from inventory import allocation

from .models import Order, OrderLine

OVERSOLD_ACTIONS: dict[str, tuple[str, Callable[..., OrderLine]]] = {
    "backorder": ("Backorder", allocation.backorder_oversold_line),
    "cancel": ("Cancel", allocation.cancel_oversold_line),
}


class OrderStockActionsMixin(admin.ModelAdmin):
    """Adds shipments, "Cancel the rest" and oversold actions to OrderAdmin."""

    def get_urls(self):
        cancel_rest_view = self.admin_site.admin_view(self.cancel_rest_view)
        oversold_view = self.admin_site.admin_view(self.oversold_view)
        return [
            path(
                "<int:order_id>/cancel-rest/",
                cancel_rest_view,
                name="orders_order_cancel_rest",
            ),
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

    @admin.display(description="Shipments")
    def shipments_summary(self, order: Order) -> str:
        shipments = fulfillment_selectors.list_order_shipments(order)
        summary = shipment_summary_html(shipments) if shipments else "None yet"
        if order.status != Order.Status.PARTLY_SHIPPED:
            return summary
        url = reverse("admin:orders_order_cancel_rest", args=[order.pk])
        return format_html(
            '{}<p><a class="button" href="{}">Cancel the rest…</a></p>', summary, url
        )

    def cancel_rest_view(self, request: HttpRequest, order_id: int) -> HttpResponse:
        """Confirm, then drop what a partly shipped order has not shipped."""
        order = self._order_for_change(request, order_id)
        lines = [
            line for line in order.lines.all() if line.quantity_shipped < line.quantity
        ]
        if request.method == "POST":
            try:
                units = fulfillment_services.cancel_rest_of_order(
                    order=order,
                    reason=request.POST.get("reason", ""),
                    user=_staff(request),
                )
            except fulfillment_services.ShipmentError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Cancelled {units} unshipped units of order {order.number}; "
                    "refund them with the refund form.",
                    messages.SUCCESS,
                )
            return redirect("admin:orders_order_change", order.pk)
        return self._confirmation(
            request,
            order,
            title=f"Cancel the rest of order {order.number}",
            template="admin/orders/order/cancel_rest.html",
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
