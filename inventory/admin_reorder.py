"""The reorder screen: variants due for reordering, drafted into orders.

The admin has no model for a suggestion, so the screen is added to the
admin site's URLs and to the inventory section of its index by wrapping
the site's get_urls and get_app_list.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from . import purchasing

PERMISSION = "inventory.add_purchaseorder"


class ReorderView:
    """The reorder screen of one admin site."""

    def __init__(self, site: admin.AdminSite):
        self.site = site

    def get_urls(self) -> list:
        return [
            path(
                "inventory/reorder/",
                self.site.admin_view(self.reorder),
                name="inventory_reorder",
            )
        ]

    def reorder(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        suggestions = purchasing.reorder_suggestions()
        if request.method == "POST":
            selected = {
                int(pk) for pk in request.POST.getlist("variant") if pk.isdigit()
            }
            if selected:
                return self._create_drafts(request, suggestions, selected)
            messages.error(
                request,
                "No variants selected; tick the rows to order, then create "
                "the purchase orders again.",
            )
        context = {
            **self.site.each_context(request),
            "title": "Reorder",
            "suggestions": suggestions,
            "without_supplier": sum(1 for item in suggestions if not item.supplier_id),
        }
        return TemplateResponse(request, "admin/inventory/reorder.html", context)

    def _create_drafts(self, request, suggestions, selected) -> HttpResponse:
        chosen = [
            item
            for item in suggestions
            if item.variant_id in selected and item.supplier_id
        ]
        with transaction.atomic():
            orders = purchasing.create_draft_purchase_orders(
                suggestions=chosen, user=request.user
            )
        if not orders:
            messages.warning(
                request,
                "No purchase order created: the selected variants have no "
                "supplier or are no longer due for reordering.",
            )
            return redirect("admin:inventory_reorder")

        skipped = len(selected) - len(chosen)
        numbers = ", ".join(str(order.number) for order in orders)
        note = (
            f" {skipped} selected without a supplier or no longer due."
            if skipped
            else ""
        )
        messages.success(request, f"Drafted purchase orders {numbers}.{note}")
        if len(orders) == 1:
            return redirect("admin:inventory_purchaseorder_change", orders[0].pk)
        ids = ",".join(str(order.pk) for order in orders)
        return redirect(
            reverse("admin:inventory_purchaseorder_changelist") + f"?id__in={ids}"
        )


def install(site: admin.AdminSite) -> None:
    """Add the reorder URL to `site` and a Reorder link to its index."""
    view = ReorderView(site)
    site_get_urls = site.get_urls
    site_get_app_list = site.get_app_list

    def get_urls():
        return view.get_urls() + site_get_urls()

    def get_app_list(request, app_label=None):
        app_list = site_get_app_list(request, app_label)
        if request.user.has_perm(PERMISSION):
            for app in app_list:
                if app["app_label"] == "inventory":
                    app["models"].append(_index_entry())
        return app_list

    site.get_urls = get_urls  # type: ignore[method-assign]
    site.get_app_list = get_app_list  # type: ignore[method-assign]


def _index_entry() -> dict:
    return {
        "name": "Reorder",
        "object_name": "Reorder",
        "perms": {"view": True},
        "admin_url": reverse("admin:inventory_reorder"),
        "add_url": None,
        "view_only": True,
    }


install(admin.site)
