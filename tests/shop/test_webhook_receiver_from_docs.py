"""A webhook receiver built from docs/webhooks.md alone, fed by the shop.

The receiver below verifies signatures and removes duplicates as
docs/webhooks.md describes for other systems, and imports nothing of the
shop's webhook code. Each test makes the shop record an event through its
public services or the admin and checks what reached the receiver against
the documented headers, payload fields and values.
"""

import hashlib
import hmac
import json
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from accounting.models import Invoice
from fulfillment.models import Shipment
from fulfillment.services import mark_shipped
from inventory.models import StockMovement
from inventory.services import adjust_stock, set_opening_stock
from orders.counter import CounterLine, record_counter_sale
from orders.models import Payment
from orders.services import record_payment
from orders.stripe_gateway import to_minor_units
from shop.models import WebhookDelivery, WebhookEndpoint
from tests.factories.orders import OrderFactory, OrderLineFactory, OrderTaxFactory
from tests.factories.shop import VariantFactory

# Every service call commits, as in production, because the shop sends an
# event when the transaction that records it commits and merges the stock
# changes of one transaction into one event.
pytestmark = pytest.mark.django_db(transaction=True)

SIGNATURE_TOLERANCE_SECONDS = 300
SHOP_BASE_URL = "https://shop.example.ca"
EVENT_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

# The worked example of "Verifying a signature" in docs/webhooks.md.
DOCS_SECRET = "whsec_docs-example-secret"
DOCS_TIMESTAMP = "1773455400"
DOCS_BODY = (
    b'{"id":"5f0c8c38-8a5e-4b43-9d0e-3f4b8f5c2a11","type":"stock.changed",'
    b'"created":"2026-03-14T02:30:00Z","data":{"stock":{"sku":"MUG-BLUE",'
    b'"location":"shop","quantity_on_hand":10,"quantity_allocated":3,'
    b'"quantity_available":7,"movement_id":5120}}}'
)
DOCS_SIGNATURE = "08af53ed75aada4cd6c911b2d69093852275e28a4201b42915aafd089160776d"


class SignatureError(ValueError):
    """A Ledgerfront-Signature that is missing, expired or does not match."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the lowercase hex HMAC-SHA256 of `<timestamp>.<body>`."""
    signed = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def check_signature(
    secret: str, header: str, body: bytes, *, now: float | None
) -> None:
    """Raise SignatureError unless `header` signs the raw `body` with `secret`.

    `now` is the receiver's clock in Unix seconds; None skips the timestamp
    check, which docs/webhooks.md allows for its worked example.
    """
    fields = {}
    for pair in header.split(","):
        key, _, value = pair.strip().partition("=")
        fields[key] = value
    timestamp, signature = fields.get("t", ""), fields.get("v1", "")
    if not timestamp.isdigit() or not signature:
        raise SignatureError(f"missing t or v1 in {header!r}")
    if now is not None and abs(now - int(timestamp)) > SIGNATURE_TOLERANCE_SECONDS:
        raise SignatureError(f"timestamp {timestamp} is outside the tolerance")
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise SignatureError("signature does not match the body")


@dataclass(frozen=True)
class ReceivedRequest:
    # Lookups ignore case, because HTTP header names are case-insensitive.
    headers: Message
    body: bytes
    status: int
    error: str

    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the receiver was sent, and each event it acted on once."""

    secret: str = ""
    url: str = ""
    accepted: list[ReceivedRequest] = field(default_factory=list)
    rejected: list[ReceivedRequest] = field(default_factory=list)
    processed: dict[str, dict] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: Message, body: bytes) -> int:
        """Verify a request, act on its event once, and return the status."""
        try:
            check_signature(
                self.secret,
                headers.get("Ledgerfront-Signature", ""),
                body,
                now=time.time(),
            )
        except SignatureError as error:
            self.rejected.append(ReceivedRequest(headers, body, 401, str(error)))
            return 401

        event = json.loads(body)
        with self.lock:
            # Store the id before responding, so a later copy of the event
            # gets a 2xx response and is not acted on again.
            self.processed.setdefault(event["id"], event)
        self.accepted.append(ReceivedRequest(headers, body, 200, ""))
        return 200

    def events(self, event_type: str) -> list[dict]:
        return [e for e in self.processed.values() if e["type"] == event_type]

    def request_for(self, event_type: str) -> ReceivedRequest:
        [request] = [
            r for r in self.accepted if r.headers["Ledgerfront-Event"] == event_type
        ]
        return request


def post(url: str, headers: dict[str, str], body: bytes) -> int:
    """POST to the receiver and return its response status."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def serve(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            status = receiver.handle(self.headers, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args):
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture
def docs_receiver(settings, localstripe):
    # localstripe serves the Stripe calls of the fee task a payment queues.
    settings.SHOP_BASE_URL = SHOP_BASE_URL
    receiver = Receiver()
    server = serve(receiver)
    host, port = server.server_address[:2]
    receiver.url = f"http://{host}:{port}/ledgerfront/webhooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def subscribe(receiver: Receiver, *events: str) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.create(
        name="ERP", url=receiver.url, events=list(events)
    )
    receiver.secret = endpoint.secret
    return endpoint


def stocked_variant(sku, name, options, price, quantity=10):
    colour, _, size = options.partition(", ")
    variant = VariantFactory(
        sku=sku,
        product__name=name,
        colour=colour,
        size=size,
        price=Decimal(price),
        unit_cost=Decimal("6.00"),
    )
    set_opening_stock(variant=variant, quantity=quantity)
    return variant


def docs_example_order(*, mugs_in_stock=10):
    """Create the unpaid order of the docs' order.paid example.

    The towel is in stock, and so are the two mugs unless `mugs_in_stock`
    is lower, which leaves the rest of the mug line backordered.
    """
    mug = stocked_variant(
        "MUG-BLUE", "Harbour Mug", "Blue, 350 ml", "18.50", quantity=mugs_in_stock
    )
    towel = stocked_variant("TOWEL-01", "Lighthouse Tea Towel", "", "19.00")
    order = OrderFactory(
        number=100042,
        subtotal_amount=Decimal("56.00"),
        shipping_amount=Decimal("12.00"),
        tax_amount=Decimal("9.52"),
        total_amount=Decimal("77.52"),
    )
    OrderLineFactory(
        order=order,
        variant=mug,
        options="Blue, 350 ml",
        quantity=2,
        tax_amount=Decimal("5.18"),
    )
    OrderLineFactory(order=order, variant=towel, tax_amount=Decimal("2.66"))
    OrderTaxFactory(
        order=order,
        taxable_amount=Decimal("68.00"),
        amount=Decimal("9.52"),
        shipping_amount=Decimal("1.68"),
    )
    return order


def pay(order):
    cents = to_minor_units(order.total_amount)
    intent = {
        "id": f"pi_order_{order.pk}",
        "status": "succeeded",
        "amount": cents,
        "amount_received": cents,
    }
    record_payment(order_id=order.pk, payment_intent=intent)
    order.refresh_from_db()
    return order


def event_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def resign(request: ReceivedRequest, secret: str, timestamp: int) -> str:
    """Return a valid signature header of the request's body at `timestamp`."""
    return f"t={timestamp},v1={sign(secret, str(timestamp), request.body)}"


def test_docs_worked_example_verifies():
    header = f"t={DOCS_TIMESTAMP},v1={DOCS_SIGNATURE}"

    check_signature(DOCS_SECRET, header, DOCS_BODY, now=None)


def test_order_paid_arrives_signed(docs_receiver):
    subscribe(docs_receiver, "order.paid")
    pay(docs_example_order())

    request = docs_receiver.request_for("order.paid")

    assert docs_receiver.rejected == []
    delivery = WebhookDelivery.objects.get(event_type="order.paid")
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "Ledgerfront-Webhooks/1.0"
    assert request.event()["type"] == "order.paid"
    assert request.headers["Ledgerfront-Event-Id"] == request.event()["id"]
    assert request.headers["Ledgerfront-Event-Id"] == str(delivery.event_id)
    assert request.headers["Ledgerfront-Delivery-Id"] == str(delivery.pk)


def test_order_paid_payload_values(docs_receiver):
    subscribe(docs_receiver, "order.paid")
    order = pay(docs_example_order())

    [event] = docs_receiver.events("order.paid")

    assert set(event) == {"id", "type", "created", "data"}
    assert EVENT_TIME.match(event["created"])
    assert event["data"]["order"] == {
        "number": 100042,
        "status": "paid",
        "channel": "online",
        "currency": "CAD",
        "paid_at": event_time(order.paid_at),
        "shipping_method": "standard",
        "subtotal_amount": "56.00",
        "shipping_amount": "12.00",
        "tax_amount": "9.52",
        "total_amount": "77.52",
        "cash_rounding_amount": "0.00",
        "taxes": [{"code": "HST", "name": "HST", "rate": "0.14000", "amount": "9.52"}],
        "lines": [
            {
                "sku": "MUG-BLUE",
                "name": "Harbour Mug",
                "options": "Blue, 350 ml",
                "quantity": 2,
                "unit_price": "18.50",
                "subtotal_amount": "37.00",
                "tax_amount": "5.18",
            },
            {
                "sku": "TOWEL-01",
                "name": "Lighthouse Tea Towel",
                "options": "",
                "quantity": 1,
                "unit_price": "19.00",
                "subtotal_amount": "19.00",
                "tax_amount": "2.66",
            },
        ],
    }


def test_signature_timestamp_is_current(docs_receiver):
    subscribe(docs_receiver, "order.paid")
    before = int(time.time())
    pay(docs_example_order())

    header = docs_receiver.request_for("order.paid").headers["Ledgerfront-Signature"]

    timestamp = int(re.search(r"(?:^|,)t=(\d+)", header).group(1))
    assert before <= timestamp <= time.time()
    assert re.search(r"(?:^|,)v1=[0-9a-f]{64}(?:,|$)", header)


def test_tampered_body_fails_check(docs_receiver):
    subscribe(docs_receiver, "order.paid")
    pay(docs_example_order())
    request = docs_receiver.request_for("order.paid")
    header = request.headers["Ledgerfront-Signature"]
    tampered = request.body.replace(b'"total_amount":"77.52"', b'"total_amount":"7.52"')

    assert tampered != request.body
    check_signature(docs_receiver.secret, header, request.body, now=time.time())
    with pytest.raises(SignatureError, match="does not match"):
        check_signature(docs_receiver.secret, header, tampered, now=time.time())


def test_receiver_rejects_tampered_replay(docs_receiver):
    subscribe(docs_receiver, "order.paid")
    pay(docs_example_order())
    request = docs_receiver.request_for("order.paid")
    event = request.event()
    event["data"]["order"]["total_amount"] = "7.52"
    tampered = json.dumps(event, separators=(",", ":")).encode()
    docs_receiver.processed.clear()

    headers = {
        name: value
        for name, value in request.headers.items()
        if name.startswith("Ledgerfront-") or name == "Content-Type"
    }
    status = post(docs_receiver.url, headers, tampered)

    assert status == 401
    assert [r.error for r in docs_receiver.rejected] == [
        "signature does not match the body"
    ]
    assert docs_receiver.processed == {}


def test_old_timestamp_rejected(docs_receiver):
    subscribe(docs_receiver, "order.paid")
    pay(docs_example_order())
    request = docs_receiver.request_for("order.paid")
    now = int(time.time())
    secret = docs_receiver.secret

    just_in_time = resign(request, secret, now - SIGNATURE_TOLERANCE_SECONDS + 5)
    check_signature(secret, just_in_time, request.body, now=now)
    too_old = resign(request, secret, now - SIGNATURE_TOLERANCE_SECONDS - 1)
    with pytest.raises(SignatureError, match="outside the tolerance"):
        check_signature(secret, too_old, request.body, now=now)


def test_future_timestamp_rejected(docs_receiver):
    subscribe(docs_receiver, "order.paid")
    pay(docs_example_order())
    request = docs_receiver.request_for("order.paid")
    now = int(time.time())

    header = resign(
        request, docs_receiver.secret, now + SIGNATURE_TOLERANCE_SECONDS + 1
    )

    with pytest.raises(SignatureError, match="outside the tolerance"):
        check_signature(docs_receiver.secret, header, request.body, now=now)


def resend_action(client) -> str:
    """Return the value of the delivery log's "Resend" action."""
    page = client.get("/admin/shop/webhookdelivery/").content.decode()
    [action] = re.findall(r'<option value="([\w-]+)">Resend[^<]*</option>', page)
    return action


def test_resend_processed_once(docs_receiver, admin_client):
    subscribe(docs_receiver, "order.paid")
    pay(docs_example_order())
    original = WebhookDelivery.objects.get(event_type="order.paid")

    response = admin_client.post(
        "/admin/shop/webhookdelivery/",
        {"action": resend_action(admin_client), "_selected_action": [original.pk]},
    )

    assert response.status_code == 302
    first, second = docs_receiver.accepted
    assert first.event() == second.event()
    assert (
        first.headers["Ledgerfront-Event-Id"] == second.headers["Ledgerfront-Event-Id"]
    )
    assert first.headers["Ledgerfront-Delivery-Id"] == str(original.pk)
    assert second.headers["Ledgerfront-Delivery-Id"] != str(original.pk)
    assert list(docs_receiver.processed) == [str(original.event_id)]
    assert docs_receiver.rejected == []


def ship_first_parcel(order, *, service_code="", service_name=""):
    """Hand the order's first shipment to Canada Post; return it shipped."""
    return mark_shipped(
        shipment=order.shipments.get(),
        carrier="canadapost",
        service_code=service_code,
        service_name=service_name,
        tracking_number="7023210039414604",
        user=None,
    )


def test_order_shipped_arrives_verified(docs_receiver):
    order = pay(docs_example_order())
    subscribe(docs_receiver, "order.shipped")

    shipment = ship_first_parcel(
        order, service_code="DOM.EP", service_name="Expedited Parcel"
    )

    assert docs_receiver.rejected == []
    [event] = docs_receiver.events("order.shipped")
    shipped_at = Shipment.objects.get(pk=shipment.pk).shipped_at
    assert event["data"] == {
        "order": {"number": 100042, "status": "shipped"},
        "shipment": {
            "number": "100042-1",
            "carrier": "canadapost",
            "service_code": "DOM.EP",
            "service_name": "Expedited Parcel",
            "tracking_number": "7023210039414604",
            "tracking_url": (
                "https://www.canadapost-postescanada.ca/track-reperage/en"
                "#/search?searchFor=7023210039414604"
            ),
            "shipped_at": event_time(shipped_at),
            "lines": [
                {
                    "sku": "MUG-BLUE",
                    "name": "Harbour Mug",
                    "options": "Blue, 350 ml",
                    "quantity": 2,
                },
                {
                    "sku": "TOWEL-01",
                    "name": "Lighthouse Tea Towel",
                    "options": "",
                    "quantity": 1,
                },
            ],
        },
    }


def test_first_of_two_parcels_partly_shipped(docs_receiver):
    order = pay(docs_example_order(mugs_in_stock=1))
    subscribe(docs_receiver, "order.shipped")

    ship_first_parcel(order)

    assert docs_receiver.rejected == []
    [event] = docs_receiver.events("order.shipped")
    assert event["data"]["order"] == {"number": 100042, "status": "partly_shipped"}
    shipment = event["data"]["shipment"]
    assert shipment["number"] == "100042-1"
    assert shipment["service_code"] == ""
    assert shipment["service_name"] == ""
    assert [(line["sku"], line["quantity"]) for line in shipment["lines"]] == [
        ("MUG-BLUE", 1),
        ("TOWEL-01", 1),
    ]


def test_stock_adjustment_arrives_verified(docs_receiver):
    mug = stocked_variant("MUG-BLUE", "Harbour Mug", "Blue, 350 ml", "18.50")
    subscribe(docs_receiver, "stock.changed")

    movement = adjust_stock(
        variant=mug, quantity_change=-3, reason="Dropped a box", user=None
    )

    assert docs_receiver.rejected == []
    [event] = docs_receiver.events("stock.changed")
    assert event["data"] == {
        "stock": {
            "sku": "MUG-BLUE",
            "location": "shop",
            "quantity_on_hand": 7,
            "quantity_allocated": 0,
            "quantity_available": 7,
            "movement_id": movement.pk,
        }
    }


def test_payment_sends_one_stock_event_per_sku(docs_receiver):
    order = docs_example_order()
    mug_line = order.lines.get(sku="MUG-BLUE")
    OrderLineFactory(order=order, variant=mug_line.variant, quantity=3)
    subscribe(docs_receiver, "stock.changed")

    pay(order)

    assert docs_receiver.rejected == []
    stocks = [event["data"]["stock"] for event in docs_receiver.events("stock.changed")]
    assert sorted(stock["sku"] for stock in stocks) == ["MUG-BLUE", "TOWEL-01"]
    [mug] = [stock for stock in stocks if stock["sku"] == "MUG-BLUE"]
    last_movement = StockMovement.objects.filter(
        stock__variant=mug_line.variant
    ).latest("pk")
    assert mug["quantity_on_hand"] == 10
    assert mug["quantity_allocated"] == 5
    assert mug["quantity_available"] == 5
    assert mug["movement_id"] == last_movement.pk


def test_invoice_issued_arrives_verified(docs_receiver):
    subscribe(docs_receiver, "invoice.issued")
    order = pay(docs_example_order())

    assert docs_receiver.rejected == []
    [event] = docs_receiver.events("invoice.issued")
    invoice = Invoice.objects.get(order=order)
    data = event["data"]["invoice"]
    pdf_url = data.pop("pdf_url")
    assert data == {
        "number": invoice.number,
        "order_number": 100042,
        "issued_at": event_time(invoice.issued_at),
        "paid_at": event_time(order.paid_at),
        "currency": "CAD",
        "subtotal_amount": "56.00",
        "shipping_amount": "12.00",
        "tax_amount": "9.52",
        "total_amount": "77.52",
    }
    assert re.fullmatch(rf"{SHOP_BASE_URL}/orders/[^/]+/invoice\.pdf", pdf_url)


def test_invoice_pdf_url_opens_signed_out(docs_receiver, client):
    subscribe(docs_receiver, "invoice.issued")
    pay(docs_example_order())
    [event] = docs_receiver.events("invoice.issued")

    response = client.get(urlsplit(event["data"]["invoice"]["pdf_url"]).path)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response).startswith(b"%PDF")


def test_counter_sale_sends_order_paid(docs_receiver):
    mug = stocked_variant("MUG-BLUE", "Harbour Mug", "Blue, 350 ml", "18.50")
    subscribe(docs_receiver, "order.paid", "order.shipped")

    order = record_counter_sale(
        lines=[CounterLine(variant_id=mug.pk, quantity=2)],
        customer=None,
        payment_method=Payment.Method.CASH,
        amount_tendered=Decimal("50.00"),
        client_key="till-1-sale-1",
        user=None,
    )

    assert docs_receiver.rejected == []
    assert docs_receiver.events("order.shipped") == []
    [event] = docs_receiver.events("order.paid")
    paid = event["data"]["order"]
    assert paid["number"] == order.number
    assert paid["status"] == "completed"
    assert paid["channel"] == "in_store"
    assert paid["shipping_method"] == "in_store"
    assert paid["subtotal_amount"] == "37.00"
    assert paid["shipping_amount"] == "0.00"
    assert paid["tax_amount"] == "5.18"
    assert paid["total_amount"] == "42.18"
    assert paid["cash_rounding_amount"] == "0.02"
