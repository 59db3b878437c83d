"""The events other systems subscribe to, and the data each one carries.

The service that owns an event calls one of these functions inside the
transaction that records it: orders for order.paid, fulfillment for
order.shipped, inventory for stock.changed, accounting for
invoice.issued. The data of each event is documented in docs/webhooks.md,
which receivers code against, so a key renamed or removed here breaks
them. Amounts are strings in CAD to the cent, times are ISO 8601 in UTC,
and no customer contact or address details are sent.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from fulfillment.selectors import tracking_url
from inventory.models import Stock, StockMovement
from orders.models import Order

from .models import WebhookDelivery, WebhookEvent
from .money import CURRENCY, round_money
from .webhooks import build_event, create_deliveries, emit, subscribed_endpoints
from .webhooks import format_timestamp as timestamp

if TYPE_CHECKING:
    from accounting.models import Invoice
    from fulfillment.models import Shipment


def order_paid(order: Order) -> list[WebhookDelivery]:
    """Emit order.paid for an order just paid, online or at the counter."""
    return emit(WebhookEvent.ORDER_PAID, {"order": order_data(order)})


def order_shipped(shipment: "Shipment") -> list[WebhookDelivery]:
    """Emit order.shipped for a shipment just handed to its carrier.

    Call after the shipment's units left stock: the order's status is read
    again, because shipping them set it to partly shipped or shipped.
    """
    order = Order.objects.only("number", "status").get(pk=shipment.order_id)
    data = {
        "order": {"number": order.number, "status": order.status},
        "shipment": shipment_data(shipment),
    }
    return emit(WebhookEvent.ORDER_SHIPPED, data)


def invoice_issued(invoice: "Invoice") -> list[WebhookDelivery]:
    """Emit invoice.issued for an invoice just issued."""
    return emit(WebhookEvent.INVOICE_ISSUED, {"invoice": invoice_data(invoice)})


def stock_changed(movement: StockMovement) -> None:
    """Emit stock.changed for the stock a movement was just applied to.

    See stocks_changed; `movement.stock` is the locked row with its new
    quantities.
    """
    stocks_changed([movement])


def stocks_changed(movements: Iterable[StockMovement]) -> None:
    """Emit stock.changed once per stock per transaction.

    Each movement's `stock` must hold the row's quantities after the
    movement: the row locked by the caller and updated by
    inventory.services.move_stock. The first change of a stock in a
    transaction writes its deliveries, and each later change rewrites their
    payload with the new quantities and movement id. So the receiver gets
    one event per stock with the quantities at commit, however many
    movements the transaction wrote.
    """
    batch = _current_stock_events()
    if not batch.endpoints:
        return
    latest = {movement.stock_id: movement for movement in movements}
    new = [movement for movement in latest.values() if not batch.update(movement)]
    if new:
        batch.add(new)


def order_data(order: Order) -> dict[str, Any]:
    """Return an order's number, status, amounts, taxes and lines."""
    return {
        "number": order.number,
        "status": order.status,
        "channel": order.channel,
        "currency": CURRENCY,
        "paid_at": timestamp(order.paid_at) if order.paid_at else None,
        "shipping_method": order.shipping_method,
        "subtotal_amount": money(order.subtotal_amount),
        "shipping_amount": money(order.shipping_amount),
        "tax_amount": money(order.tax_amount),
        "total_amount": money(order.total_amount),
        "cash_rounding_amount": money(order.cash_rounding_amount),
        "taxes": [
            {
                "code": tax.code,
                "name": tax.name,
                "rate": f"{Decimal(tax.rate):.5f}",
                "amount": money(tax.amount),
            }
            for tax in order.taxes.order_by("pk")
        ],
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "options": line.options,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "subtotal_amount": money(line.subtotal_amount),
                "tax_amount": money(line.tax_amount),
            }
            for line in order.lines.order_by("pk")
        ],
    }


def shipment_data(shipment: "Shipment") -> dict[str, Any]:
    """Return a shipment's carrier, tracking and the units it carries."""
    lines = shipment.lines.select_related("order_line").order_by("pk")
    return {
        "number": shipment.number,
        "carrier": shipment.carrier,
        "service_code": shipment.service_code,
        "service_name": shipment.service_name,
        "tracking_number": shipment.tracking_number,
        "tracking_url": tracking_url(shipment),
        "shipped_at": timestamp(shipment.shipped_at) if shipment.shipped_at else None,
        "lines": [
            {
                "sku": line.order_line.sku,
                "name": line.order_line.name,
                "options": line.order_line.options,
                "quantity": line.quantity,
            }
            for line in lines
        ],
    }


def invoice_data(invoice: "Invoice") -> dict[str, Any]:
    """Return an invoice's number, order, amounts and the link to its PDF.

    The PDF link is the one on the customer's order status page: it opens
    without signing in, for anyone who has it.
    """
    order = invoice.order
    pdf_path = reverse("orders:invoice", kwargs={"token": order.access_token})
    return {
        "number": invoice.number,
        "order_number": order.number,
        "issued_at": timestamp(invoice.issued_at),
        "paid_at": timestamp(invoice.paid_at) if invoice.paid_at else None,
        "currency": CURRENCY,
        "subtotal_amount": money(invoice.subtotal_amount),
        "shipping_amount": money(invoice.shipping_amount),
        "tax_amount": money(invoice.tax_amount),
        "total_amount": money(invoice.total_amount),
        "pdf_url": settings.SHOP_BASE_URL.rstrip("/") + pdf_path,
    }


def stock_data(movement: StockMovement, *, sku: str, location: str) -> dict[str, Any]:
    """Return a stock's SKU, location code, quantities and last movement id.

    A stock's movements are written under its row lock, so each one has a
    higher id than the last: a receiver keeps the event with the highest
    movement id when retries deliver them out of order.
    """
    stock = movement.stock
    return {
        "sku": sku,
        "location": location,
        "quantity_on_hand": stock.quantity_on_hand,
        "quantity_allocated": stock.quantity_allocated,
        "quantity_available": stock.quantity_available,
        "movement_id": movement.pk,
    }


def money(amount: Decimal) -> str:
    """Format an amount as a decimal string to the cent: "77.52"."""
    return str(round_money(amount))


class _StockEvents:
    """The stock.changed events of one transaction, one per Stock row.

    It is registered as an on-commit callback. That is how the rest of the
    transaction finds it, and how Django drops it when the transaction, or
    the savepoint it was registered in, rolls back.
    """

    def __init__(self, transaction_key: str | None) -> None:
        self.transaction_key = transaction_key
        self.endpoints = subscribed_endpoints(WebhookEvent.STOCK_CHANGED)
        self.events: dict[int, dict[str, Any]] = {}
        self.delivery_ids: dict[int, list[int]] = {}
        self.labels: dict[int, tuple[str, str]] = {}
        self.committed = False

    def __call__(self) -> None:
        self.committed = True

    def update(self, movement: StockMovement) -> bool:
        """Put the stock's new quantities in its deliveries, if it has any.

        Returns False when the stock has none yet, including when they were
        written in a savepoint that rolled back.
        """
        stock_id = movement.stock_id
        if stock_id not in self.events:
            return False
        event = self.events[stock_id]
        event["data"] = {"stock": self._data(movement)}
        updated = WebhookDelivery.objects.filter(
            pk__in=self.delivery_ids[stock_id]
        ).update(payload=event)
        return updated > 0

    def add(self, movements: list[StockMovement]) -> None:
        """Write the deliveries of stocks first changed in this transaction."""
        self._load_labels(movement.stock_id for movement in movements)
        events = {
            movement.stock_id: build_event(
                WebhookEvent.STOCK_CHANGED, {"stock": self._data(movement)}
            )
            for movement in movements
        }
        deliveries = create_deliveries(self.endpoints, list(events.values()))

        stock_by_event_id = {event["id"]: pk for pk, event in events.items()}
        for stock_id in events:
            self.delivery_ids[stock_id] = []
        for delivery in deliveries:
            stock_id = stock_by_event_id[str(delivery.event_id)]
            self.delivery_ids[stock_id].append(delivery.pk)
        self.events.update(events)

    def _data(self, movement: StockMovement) -> dict[str, Any]:
        sku, location = self.labels[movement.stock_id]
        return stock_data(movement, sku=sku, location=location)

    def _load_labels(self, stock_ids: Iterable[int]) -> None:
        missing = [pk for pk in stock_ids if pk not in self.labels]
        rows = Stock.objects.filter(pk__in=missing).values_list(
            "pk", "variant__sku", "location__code"
        )
        self.labels.update({pk: (sku, code) for pk, sku, code in rows})


def _current_stock_events() -> _StockEvents:
    # NOTE: run_on_commit is Django's list of (savepoint ids, callback,
    # robust) entries of the open transaction, undocumented but read by
    # Django's own TestCase.captureOnCommitCallbacks.
    connection = transaction.get_connection()
    key = _transaction_key(connection)
    for entry in connection.run_on_commit:
        callback = entry[1]
        if (
            isinstance(callback, _StockEvents)
            and not callback.committed
            and callback.transaction_key == key
        ):
            return callback
    batch = _StockEvents(key)
    transaction.on_commit(batch)
    return batch


def _transaction_key(connection: Any) -> str | None:
    # The savepoint id of the outermost atomic block that a Django TestCase
    # did not open. In production that block began the transaction, so the
    # key is None, and the commit clears run_on_commit. A test's own
    # transaction never commits, so there the key separates the transactions
    # of successive service calls, as production commits do.
    blocks = connection.atomic_blocks
    savepoint_ids = connection.savepoint_ids
    # The block that began the transaction has no savepoint id.
    offset = len(blocks) - len(savepoint_ids)
    for index, block in enumerate(blocks):
        if not getattr(block, "_from_testcase", False):
            return savepoint_ids[index - offset] if index >= offset else None
    return None
