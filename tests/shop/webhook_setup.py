"""Builders for webhook tests: endpoints, stocked variants, a paid order."""

import ipaddress
import socket
from decimal import Decimal

from django.db import transaction

from inventory.services import set_opening_stock
from orders.services import record_payment
from shop import webhook_network
from shop.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.factories.orders import order_with_lines
from tests.factories.shop import VariantFactory
from tests.inventory.allocation_setup import succeeded_intent

SECRET = "whsec_test-signing-secret"
ORDER_NUMBER = 100042


def make_endpoint(url, *events, name="Warehouse ERP", **fields):
    """Create an active endpoint at `url`, subscribed to `events` (all when
    none are given)."""
    return WebhookEndpoint.objects.create(
        name=name,
        url=url,
        events=list(events or WebhookEvent.values),
        secret=fields.pop("secret", SECRET),
        **fields,
    )


def stocked_variant(sku, name, price, *, on_hand):
    """Create a variant with `on_hand` units of opening stock."""
    created = VariantFactory(sku=sku, price=Decimal(price), product__name=name)
    set_opening_stock(variant=created, quantity=on_hand)
    return created


def unpaid_order(lines=None):
    """Create Nova Scotia order 100042 awaiting payment.

    Without `lines`: 2 Harbour Mugs at $18.50 (10 on hand) and 1 Lighthouse
    Tea Towel at $19.00 (4 on hand), $12.00 shipping. HST 14% on $68.00 is
    $9.52, so the total is $77.52.
    """
    if lines is None:
        mug = stocked_variant("MUG-BLUE", "Harbour Mug", "18.50", on_hand=10)
        towel = stocked_variant("TOWEL-01", "Lighthouse Tea Towel", "19.00", on_hand=4)
        lines = [(mug, 2), (towel, 1)]
    order = order_with_lines(lines=lines, number=ORDER_NUMBER)
    order.lines.filter(sku="MUG-BLUE").update(options="Blue, 350 ml")
    return order


def pay(order):
    """Record the order's Stripe payment in its own transaction."""
    with transaction.atomic():
        record_payment(order_id=order.pk, payment_intent=succeeded_intent(order))
    order.refresh_from_db()
    return order


def deliveries_of(event_type):
    return list(WebhookDelivery.objects.filter(event_type=event_type).order_by("pk"))


def fake_dns(monkeypatch, table):
    """Resolve host names from `table` (name to addresses) in the webhook
    address checks, so no test sends a DNS query. Other names, except IP
    addresses, fail to resolve."""

    def resolve(host, port):
        if host in table:
            return list(table[host])
        try:
            return [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} not found") from None

    monkeypatch.setattr(webhook_network, "resolve", resolve)
