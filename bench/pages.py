"""Pick the pages bench/run loads and count the SQL queries each one runs.

Usage, from the repository root with the bench environment of bench/run:

    python bench/pages.py urls      print the category and product paths
    python bench/pages.py report    print data size and queries per page

The category page is the one listing the most products (its first page,
SHOP_PAGE_SIZE products); the product page is the product with the most
variants, so both are the heaviest of their kind in the catalog.
"""

import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def heaviest_pages() -> tuple[str, str]:
    """Return the paths of the largest category page and product page."""
    from django.db.models import Count

    from shop.models import Category, Product
    from shop.selectors import list_products

    category = max(
        Category.objects.all(),
        key=lambda node: (list_products(category=node).count(), -node.pk),
    )
    product = (
        Product.objects.annotate(variant_count=Count("variants"))
        .order_by("-variant_count", "pk")
        .first()
    )
    if product is None:
        raise SystemExit("No products: run `manage.py load_demo` first.")
    return category.get_absolute_url(), product.get_absolute_url()


def query_count(path: str) -> int:
    """Load a page once warm and return the number of SQL queries it ran."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} returned HTTP {response.status_code}.")
    return len(queries)


def print_report(category_path: str, product_path: str) -> None:
    from shop.models import Category, Product, Variant

    print(
        f"Catalog: {Category.objects.count()} categories, "
        f"{Product.objects.count()} products, {Variant.objects.count()} variants"
    )
    for path in (category_path, product_path):
        print(f"{path}: {query_count(path)} SQL queries")


def main() -> None:
    django.setup()
    category_path, product_path = heaviest_pages()
    if sys.argv[1:] == ["urls"]:
        print(category_path, product_path)
    elif sys.argv[1:] == ["report"]:
        print_report(category_path, product_path)
    else:
        raise SystemExit("Usage: python bench/pages.py urls|report")


if __name__ == "__main__":
    main()
