"""Browser fixtures for end-to-end tests: chromium and a demo catalog slice."""

import csv
import io

import pytest

from inventory.services import set_opening_stock
from shop.catalog_import import import_catalog
from shop.demo_data import DEMO_DATA_DIR, set_demo_packaging
from shop.models import Product, TaxClass

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Playwright waits up to this long for each element or navigation.
TIMEOUT_MS = 15_000
STOCK_PER_VARIANT = 10


@pytest.fixture
def page(monkeypatch):
    """Open a page in Debian's chromium, headless, for one test."""
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and
    # Django would otherwise reject the test's own database queries here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        yield page
        browser.close()


@pytest.fixture
def chaz_hoodie():
    """Import the Chaz Kangeroo Hoodie from the demo catalog, 10 of each.

    The product's 15 rows (sizes XS to XL in Black, Gray and Orange) go
    through the catalog import, and the demo's packaging for Men > Tops >
    Hoodies & Sweatshirts (700 g in a 35 × 30 × 8 cm box) prices shipping.
    """
    with open(DEMO_DATA_DIR / "luma-apparel-gear.csv", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        rows = [row for row in reader if row["parent_sku"] == "MH01"]
        columns = reader.fieldnames
    catalog = io.StringIO(newline="")
    writer = csv.DictWriter(catalog, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    catalog.seek(0)

    import_catalog(catalog, tax_class=TaxClass.STANDARD)
    set_demo_packaging()
    product = Product.objects.get(sku="MH01")
    for variant in product.variants.all():
        set_opening_stock(variant=variant, quantity=STOCK_PER_VARIANT)
    return product
