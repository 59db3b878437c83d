"""Staff screens on a phone and a tablet: the fulfillment queue, the counter
and the customer service lookup.

Each page is opened in chromium at a phone viewport (390 × 844, touch) and
a tablet viewport (820 × 1180, touch). A page passes when nothing makes
the page scroll sideways, its main controls sit inside the viewport with a
tap target of at least 44 CSS px high, and every table either fits or
scrolls inside its own container.

Set MOBILE_SCREENSHOT_DIR to a folder to save a full-page screenshot of
each page at each size there.
"""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from fulfillment.models import Shipment, ShipmentLine
from inventory.services import set_opening_stock
from tests.e2e.conftest import CHROMIUM_ARGS, TIMEOUT_MS
from tests.factories.orders import OrderFactory, OrderLineFactory
from tests.factories.shop import ProductFactory, VariantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# WCAG 2.2 success criterion 2.5.5 (target size, enhanced): 44 × 44 CSS px,
# the size of Apple's recommended 44 × 44 pt tap target.
MIN_TAP_HEIGHT = 44
# WCAG 2.2 success criterion 2.5.8 (target size, minimum): 24 × 24 CSS px.
MIN_CHECKBOX_SIZE = 24
IPHONE_USER_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
IPAD_USER_AGENT = (
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
DEVICES = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "user_agent": IPHONE_USER_AGENT,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "tablet": {
        "viewport": {"width": 820, "height": 1180},
        "user_agent": IPAD_USER_AGENT,
        "device_scale_factor": 1,
        "is_mobile": True,
        "has_touch": True,
    },
}
# Lists the tables wider than the viewport that no ancestor scrolls
# sideways within the viewport.
UNCONTAINED_TABLES_JS = """
(width) => Array.from(document.querySelectorAll("table")).filter((table) => {
  if (table.getBoundingClientRect().right <= width) return false;
  for (let box = table.parentElement; box; box = box.parentElement) {
    const overflow = getComputedStyle(box).overflowX;
    if (overflow === "auto" || overflow === "scroll") {
      return box.getBoundingClientRect().right > width;
    }
  }
  return true;
}).map((table) => table.id || table.className || "table")
"""


@pytest.fixture(params=list(DEVICES))
def device(request):
    return request.param


@pytest.fixture
def staff_page(device, live_server, monkeypatch):
    """Open a page signed in as a superuser, in chromium at `device` size."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and
    # Django would otherwise reject the test's own database queries here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    user = get_user_model().objects.create_superuser(
        "clerk", "clerk@example.com", "harbour-clerk-1"
    )
    client = Client()
    client.force_login(user)
    session_cookie = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(**DEVICES[device])
        context.add_cookies([session_cookie])
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        yield page
        browser.close()


def save_screenshot(page, name, device):
    folder = os.environ.get("MOBILE_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{name}-{device}.png", full_page=True)


def assert_no_sideways_scroll(page):
    # A mobile browser widens window.innerWidth by zooming out when content
    # overflows, so the device's viewport width is the reference too.
    viewport_width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    inner_width = page.evaluate("window.innerWidth")
    assert scroll_width <= viewport_width, f"page is {scroll_width} px wide"
    assert inner_width == viewport_width, f"page zoomed out to {inner_width} px"


def assert_tappable(page, locator, min_height=MIN_TAP_HEIGHT):
    """Check a control is shown inside the viewport's width, tall enough."""
    viewport_width = page.viewport_size["width"]
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box["x"] >= 0, f"{locator} starts at x={box['x']}"
    assert box["x"] + box["width"] <= viewport_width, (
        f"{locator} ends at x={box['x'] + box['width']} of {viewport_width}"
    )
    assert box["height"] >= min_height, f"{locator} is {box['height']} px high"


def assert_tables_contained(page):
    width = page.viewport_size["width"]
    assert page.evaluate(UNCONTAINED_TABLES_JS, width) == []


def add_shipment(order, **fields):
    """Create a shipment of two units of a long-named line of `order`."""
    line = OrderLineFactory(
        order=order,
        variant=VariantFactory(
            sku=f"MUG-OATMEAL-LARGE-350ML-{order.number}",
            product=ProductFactory(name="Oatmeal stoneware mug, large, 350 ml"),
        ),
        quantity=2,
    )
    shipment = Shipment.objects.create(
        number=f"{order.number}-1", order=order, **fields
    )
    ShipmentLine.objects.create(shipment=shipment, order_line=line, quantity=2)
    return shipment


def test_fulfillment_queue_fits_device(staff_page, live_server, device):
    for ship_name, city in [
        ("Marie-Ève Papineau-Bouchard", "Saint-Jean-sur-Richelieu"),
        ("Avery Tremblay", "Halifax"),
        ("Sam Leblanc", "Moncton"),
    ]:
        order = OrderFactory(paid=True, ship_name=ship_name, ship_city=city)
        add_shipment(order, status=Shipment.Status.READY)
    Shipment.objects.filter(order__ship_name="Avery Tremblay").update(
        last_error="Canada Post rejected the destination postal code B3J 9Z9."
    )

    staff_page.goto(f"{live_server.url}/admin/fulfillment/shipment/")

    expect(staff_page.locator("#result_list tbody tr")).to_have_count(3)
    save_screenshot(staff_page, "fulfillment-queue", device)
    assert_no_sideways_scroll(staff_page)
    assert_tables_contained(staff_page)
    assert_tappable(staff_page, staff_page.locator("#searchbar"))
    assert_tappable(staff_page, staff_page.get_by_role("button", name="Search"))
    assert_tappable(staff_page, staff_page.locator("select[name=action]"))
    assert_tappable(staff_page, staff_page.get_by_role("button", name="Go"))
    queue_filter = staff_page.locator("#changelist-filter")
    assert_tappable(staff_page, queue_filter.get_by_role("link", name="Packed"))
    checkbox = staff_page.locator("#result_list input.action-select").first
    assert_tappable(staff_page, checkbox, min_height=MIN_CHECKBOX_SIZE)


def test_counter_fits_device(staff_page, live_server, device, settings):
    settings.SHOP_STORE_PROVINCE = "NS"
    variant = VariantFactory(
        product=ProductFactory(name="Harbour Hoodie, heavyweight organic fleece"),
        sku="HOOD-M",
        size="M",
        price=Decimal("52.00"),
    )
    set_opening_stock(variant=variant, quantity=5)

    staff_page.goto(f"{live_server.url}/counter/")
    staff_page.get_by_placeholder("Barcode or SKU").fill("HOOD-M")
    staff_page.get_by_role("button", name="Add", exact=True).click()

    expect(staff_page.locator("#sale-total")).to_have_text("$59.28")
    save_screenshot(staff_page, "counter", device)
    assert_no_sideways_scroll(staff_page)
    assert_tables_contained(staff_page)
    assert_tappable(staff_page, staff_page.get_by_placeholder("Barcode or SKU"))
    assert_tappable(staff_page, staff_page.locator("#counter-quantity"))
    assert_tappable(
        staff_page, staff_page.get_by_role("button", name="Add", exact=True)
    )
    assert_tappable(staff_page, staff_page.get_by_label("Cash tendered"))
    for method in ["Cash", "Debit", "Credit card"]:
        assert_tappable(staff_page, staff_page.get_by_role("button", name=method))
    assert_tappable(staff_page, staff_page.get_by_role("button", name="Remove"))


def test_lookup_results_fit_device(staff_page, live_server, device):
    for number, ship_name in [(100042, "Avery Tremblay"), (100043, "Avery Tremblay")]:
        OrderFactory(
            number=number,
            email="avery.tremblay.longname@example.com",
            ship_name=ship_name,
            ship_postal_code="B3J 1H6",
            paid=True,
        )

    staff_page.goto(f"{live_server.url}/admin/lookup/")
    staff_page.locator("#lookup-q").fill("avery.tremblay.longname@example.com")
    staff_page.get_by_role("button", name="Find order").click()

    expect(staff_page.get_by_role("heading", name="2 orders match")).to_be_visible()
    save_screenshot(staff_page, "lookup-results", device)
    assert_no_sideways_scroll(staff_page)
    assert_tables_contained(staff_page)
    assert_tappable(staff_page, staff_page.locator("#lookup-q"))
    assert_tappable(staff_page, staff_page.get_by_role("button", name="Find order"))
    assert_tappable(staff_page, staff_page.get_by_role("link", name="100042"))


def test_lookup_order_fits_device(staff_page, live_server, device):
    order = OrderFactory(
        paid=True,
        number=100044,
        ship_name="Marie-Ève Papineau-Bouchard",
        email="marie-eve.papineau-bouchard@example.com",
    )
    add_shipment(
        order,
        status=Shipment.Status.SHIPPED,
        carrier="canadapost",
        service_name="Expedited Parcel",
        tracking_number="1234567890123456",
    )

    staff_page.goto(f"{live_server.url}/admin/lookup/?q={order.number}")

    expect(
        staff_page.get_by_role("heading", name=f"Order {order.number}: Paid")
    ).to_be_visible()
    save_screenshot(staff_page, "lookup-order", device)
    assert_no_sideways_scroll(staff_page)
    assert_tables_contained(staff_page)
    assert_tappable(staff_page, staff_page.locator("#lookup-q"))
    assert_tappable(staff_page, staff_page.get_by_role("button", name="Find order"))
