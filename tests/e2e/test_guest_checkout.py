"""A guest buys a hoodie in chromium: catalog, cart, checkout, card payment.

The browser drives a live server with localstripe's stand-in for Stripe.js.
Celery tasks run eagerly, so the invoice email is in the outbox by the time
the confirmation page shows.
"""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect
from pypdf import PdfReader

from accounting.models import Invoice
from inventory.models import Stock
from orders.models import Order
from shop.models import CartLine
from shop.money import round_money
from tests.fixtures.localstripe import CARD_DECLINED, CARD_SUCCEEDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "avery.tremblay@example.com"
SKU = "MH01-L-Gray"
QUANTITY = 2
UNIT_PRICE = Decimal("52.00")
# Expedited Parcel for two hoodies (2 × 700 g, 35 × 30 × 8 cm) to Nova
# Scotia, from the rate table in shipping/data/rates.csv.
SHIPPING_AMOUNT = Decimal("16.65")
HST_RATE = Decimal("0.14")
SUBTOTAL = UNIT_PRICE * QUANTITY
HST_AMOUNT = round_money((SUBTOTAL + SHIPPING_AMOUNT) * HST_RATE)
TOTAL = SUBTOTAL + SHIPPING_AMOUNT + HST_AMOUNT

STAFF_USERNAME = "staff"
STAFF_PASSWORD = "harbour-staff-1"


def add_hoodies_to_cart(page, live_server):
    page.goto(live_server.url)
    page.get_by_role("navigation", name="Categories").get_by_role(
        "link", name="Men"
    ).click()
    subcategories = page.get_by_role("navigation", name="Subcategories")
    subcategories.get_by_role("link", name="Tops").click()
    subcategories.get_by_role("link", name="Hoodies & Sweatshirts").click()
    page.get_by_role("link", name="Chaz Kangeroo Hoodie").click()

    option = page.locator(
        ".variant-choice__option", has=page.get_by_text("L / Gray", exact=True)
    )
    option.get_by_role("radio").check()
    page.get_by_label("Quantity").fill(str(QUANTITY))
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".message.success")).to_have_text(
        "Added 2 × Chaz Kangeroo Hoodie (L / Gray) to your cart."
    )


def check_out_as_guest(page):
    """Go from the cart to the payment page: address, shipping, review."""
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Full name").fill("Avery Tremblay")
    page.get_by_label("Address", exact=True).fill("5670 Spring Garden Road")
    page.get_by_label("City").fill("Halifax")
    page.get_by_label("Province or territory").select_option("NS")
    page.get_by_label("Postal code").fill("B3J 1H6")
    page.get_by_role("button", name="Continue to shipping").click()

    page.get_by_role("radio", name=re.compile(r"^Expedited Parcel: \$16\.65,")).check()
    page.get_by_role("button", name="Review your order").click()

    expect(page.locator(".order-lines .total td")).to_have_text(f"${TOTAL}")
    page.get_by_role("button", name="Continue to payment").click()


def enter_card(page, number):
    card = page.locator("#card-element")
    card.get_by_placeholder("number").fill(number)
    card.get_by_placeholder("exp_month").fill("12")
    # localstripe's card Element puts "20" in front of the year.
    card.get_by_placeholder("exp_year").fill("34")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("B3J1H6")


def pdf_text(content):
    reader = PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def log_in_to_admin(page, live_server):
    get_user_model().objects.create_superuser(
        STAFF_USERNAME, "staff@example.com", STAFF_PASSWORD
    )
    page.goto(f"{live_server.url}/admin/orders/order/")
    page.get_by_label("Username").fill(STAFF_USERNAME)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_guest_checkout_pays_and_invoices(
    live_server, localstripe, page, chaz_hoodie, mailoutbox, tmp_path
):
    add_hoodies_to_cart(page, live_server)
    check_out_as_guest(page)
    enter_card(page, CARD_SUCCEEDS)
    page.screenshot(path=tmp_path / "payment.png", full_page=True)
    page.get_by_role("button", name=f"Pay ${TOTAL}").click()
    page.wait_for_url("**/confirmation/")
    page.screenshot(path=tmp_path / "confirmation.png", full_page=True)

    order = Order.objects.get(email=EMAIL)
    invoice = Invoice.objects.get(order=order)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Thank you: order {order.number} is paid"
    )
    assert order.status == Order.Status.PAID
    assert order.subtotal_amount == SUBTOTAL
    assert order.shipping_amount == SHIPPING_AMOUNT
    assert order.tax_amount == HST_AMOUNT
    assert order.total_amount == TOTAL
    assert list(order.lines.values_list("sku", "quantity")) == [(SKU, QUANTITY)]
    stock = Stock.objects.get(variant__sku=SKU)
    assert stock.quantity_on_hand == 10
    assert stock.quantity_allocated == 2

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [EMAIL]
    assert len(message.attachments) == 1
    filename, content, mimetype = message.attachments[0]
    assert filename == f"invoice-{invoice.number}.pdf"
    assert mimetype == "application/pdf"
    text = pdf_text(content)
    assert f"Invoice no. {invoice.number}" in text
    assert f"Order no. {order.number}" in text
    assert f"{SKU} Chaz Kangeroo Hoodie" in text
    assert f"{QUANTITY} ${UNIT_PRICE} ${SUBTOTAL}" in text
    assert f"HST 14% ${HST_AMOUNT}" in text
    assert f"Total (CAD) ${TOTAL}" in text
    assert "PAID" in text

    log_in_to_admin(page, live_server)
    page.get_by_role("link", name=str(order.number), exact=True).click()
    expect(page.get_by_role("link", name=f"Invoice {invoice.number}")).to_be_visible()


def test_declined_card_keeps_order_unpaid(
    live_server, localstripe, page, chaz_hoodie, mailoutbox, tmp_path
):
    add_hoodies_to_cart(page, live_server)
    check_out_as_guest(page)
    enter_card(page, CARD_DECLINED)
    page.get_by_role("button", name=f"Pay ${TOTAL}").click()

    error = page.locator("#payment-error")
    expect(error).to_have_text("Your card was declined.")
    page.screenshot(path=tmp_path / "payment-declined.png", full_page=True)
    assert page.url.endswith("/pay/")
    order = Order.objects.get(email=EMAIL)
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.paid_at is None
    assert not Invoice.objects.filter(order=order).exists()
    assert mailoutbox == []
    stock = Stock.objects.get(variant__sku=SKU)
    assert stock.quantity_on_hand == 10
    assert stock.quantity_allocated == 0
    assert list(CartLine.objects.values_list("variant__sku", "quantity")) == [
        (SKU, QUANTITY)
    ]
    page.get_by_role("link", name=re.compile(r"^Cart ")).click()
    expect(page.locator(".cart-subtotal")).to_have_text(f"${SUBTOTAL}")
