"""A stock's recent movements with the quantity on hand before and after
each, shown on the stock's change page and on its History page.

The stock's change history (django-simple-history) records its settings
only: quantities change through StockMovement rows, written with
UPDATE ... F() in inventory.services. The movements are the history of the
quantities, and this table gives each one its before and after.
"""

from django.db.models import F, Sum, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .models import Stock, StockMovement

RECENT_MOVEMENTS = 20


def recent_movements(stock: Stock, limit: int = RECENT_MOVEMENTS) -> list:
    """Return the stock's latest movements, newest first.

    Each movement carries `on_hand_after`: the sum of the quantities of the
    stock's movements up to and including it, in the order they were
    written. The newest one's equals Stock.quantity_on_hand, because every
    change of the quantity is a movement. Runs one query.
    """
    written_order = [F("created_at").asc(), F("id").asc()]
    return list(
        StockMovement.objects.filter(stock=stock)
        .annotate(on_hand_after=Window(Sum("quantity"), order_by=written_order))
        .select_related("created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def movements_table(stock: Stock) -> str:
    """Render the recent movements as an HTML table, with a link to all."""
    movements = recent_movements(stock)
    if not movements:
        return "No movements yet."
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                timezone.localtime(movement.created_at).strftime("%Y-%m-%d %H:%M"),
                movement.get_kind_display(),
                f"{movement.quantity:+d}",
                movement.on_hand_after - movement.quantity,
                movement.on_hand_after,
                f"{movement.quantity_allocated_change:+d}",
                movement.reason,
                movement.reference,
                movement.created_by or "—",
            )
            for movement in movements
        ),
    )
    all_url = reverse("admin:inventory_stockmovement_changelist")
    return format_html(
        "<table><thead><tr><th>When</th><th>Kind</th><th>On hand</th>"
        "<th>On hand before → after</th><th>Allocated</th><th>Reason</th>"
        "<th>Reference</th><th>By</th></tr></thead><tbody>{}</tbody></table>"
        '<p><a href="{}?stock__id__exact={}">All movements of this stock</a></p>',
        rows,
        all_url,
        stock.pk,
    )
