"""The customer service lookup screen at /admin/lookup/.

One search box resolves "where is my order?": the matching orders, and for
one of them its status, lines, payments, refunds, parcels, documents and
the emails sent. Importing this module adds the page to the default admin
site, in front of the admin's own URLs so its catch-all does not hide it.
"""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from fulfillment.selectors import tracking_url
from shop.text import strip_control_characters

from .lookup import RESULT_LIMIT, OrderLookup, find_orders, get_order_for_lookup
from .models import Order


def lookup_view(request: HttpRequest) -> HttpResponse:
    """Search orders and show the one found or chosen.

    Open to every staff member whatever the role, so anyone who takes a
    customer's call can answer "where is my order?" from this one screen.
    """
    # PostgreSQL rejects a NUL in a text parameter, so control characters
    # are dropped before the query is searched or shown.
    query = strip_control_characters(request.GET.get("q", "")).strip()
    orders = list(find_orders(query)[:RESULT_LIMIT]) if query else []
    chosen_id = _chosen_order_id(request, orders)
    lookup = get_order_for_lookup(chosen_id) if chosen_id else None

    context = {
        **admin.site.each_context(request),
        "title": "Customer service lookup",
        "query": query,
        "searched": "q" in request.GET,
        "orders": orders,
        "result_limit": RESULT_LIMIT,
        "in_store": Order.Channel.IN_STORE,
        "lookup": lookup,
        "detail": _detail_rows(lookup) if lookup else None,
    }
    return render(request, "admin/orders/lookup.html", context)


def _chosen_order_id(request: HttpRequest, orders: list) -> int | None:
    # The chosen order must be among the results, so a stale or edited link
    # cannot show an order the query does not match.
    chosen = request.GET.get("order", "")
    found_ids = {order.pk for order in orders}
    if chosen.isdigit() and int(chosen) in found_ids:
        return int(chosen)
    if len(orders) == 1:
        return orders[0].pk
    return None


def _detail_rows(lookup: OrderLookup) -> dict:
    order = lookup.order
    invoice = getattr(order, "invoice", None)
    return {
        "order_url": reverse("admin:orders_order_change", args=[order.pk]),
        "shipments": [
            (shipment, tracking_url(shipment)) for shipment in order.shipments.all()
        ],
        "invoice": invoice,
        "invoice_url": _admin_url("accounting_invoice_change", invoice),
        "invoice_pdf_url": _admin_url("accounting_invoice_pdf", invoice),
        "credit_notes": [
            (
                note,
                _admin_url("accounting_creditnote_change", note),
                _admin_url("accounting_creditnote_pdf", note),
            )
            for note in order.credit_notes.all()
        ],
    }


def _admin_url(name: str, document) -> str:
    if document is None:
        return ""
    return reverse(f"admin:{name}", args=[document.pk])


def _urls_with_lookup(original_get_urls):
    def get_urls():
        lookup = path(
            "lookup/", admin.site.admin_view(lookup_view), name="orders_lookup"
        )
        return [lookup, *original_get_urls()]

    return get_urls


admin.site.get_urls = _urls_with_lookup(admin.site.get_urls)
