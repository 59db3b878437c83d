"""The payment page in chromium, with localstripe's stand-in for Stripe.js."""

from decimal import Decimal

import pytest

from accounting.models import Invoice
from inventory.services import set_opening_stock
from orders.models import Order
from tests.factories.orders import order_with_lines
from tests.factories.shop import VariantFactory
from tests.fixtures.localstripe import CARD_DECLINED, CARD_NEEDS_3DS, CARD_SUCCEEDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 15_000


@pytest.fixture
def page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and
    # Django would otherwise refuse the test's own database queries here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        yield page
        browser.close()


@pytest.fixture
def order():
    variant = VariantFactory(price=Decimal("52.00"))
    set_opening_stock(variant=variant, quantity=10)
    return order_with_lines(lines=[(variant, 2)])


def enter_card(page, number):
    card = page.locator("#card-element")
    card.get_by_placeholder("number").fill(number)
    card.get_by_placeholder("exp_month").fill("12")
    # localstripe's card Element prefixes the year with "20".
    card.get_by_placeholder("exp_year").fill("34")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("B3J1H6")
    page.get_by_role("button", name="Pay $132.24").click()


def test_browser_card_payment_pays_order(live_server, localstripe, page, order):
    page.goto(f"{live_server.url}/orders/{order.access_token}/pay/")

    enter_card(page, CARD_SUCCEEDS)

    page.wait_for_url(f"**/orders/{order.access_token}/confirmation/")
    assert "An email with your invoice is on its way" in page.content()
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert Invoice.objects.filter(order=order).count() == 1


def test_browser_3ds_payment_pays_order(live_server, localstripe, page, order):
    page.goto(f"{live_server.url}/orders/{order.access_token}/pay/")

    enter_card(page, CARD_NEEDS_3DS)
    page.get_by_role("button", name="Complete authentication").click()

    page.wait_for_url(f"**/orders/{order.access_token}/confirmation/")
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_browser_declined_card_shows_message(live_server, localstripe, page, order):
    page.goto(f"{live_server.url}/orders/{order.access_token}/pay/")

    enter_card(page, CARD_DECLINED)

    error = page.locator("#payment-error")
    error.wait_for(state="visible")
    assert error.inner_text() == "Your card was declined."
    assert page.url.endswith(f"/orders/{order.access_token}/pay/")
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
