"""CSV import and export of products, one row per variant, in the admin."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from shop.models import Category, Product, TaxClass, Variant
from tests.factories.shop import CategoryFactory, ProductFactory, VariantFactory

from .csv_import_setup import (
    export_rows_and_queries,
    import_csv,
    outcomes,
    preview_errors,
    upload,
)

pytestmark = pytest.mark.django_db

PRODUCTS = "shop_product"
HEADER = (
    "sku,barcode,product_name,slug,category,tax_class,price,size,colour,"
    "weight_g,length_cm,width_cm,height_cm,active,product_active"
)


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def hoodie():
    """A hoodie in Men > Tops, in two sizes at $52.00."""
    men = CategoryFactory(name="Men", slug="men")
    tops = CategoryFactory(name="Tops", slug="men-tops", parent=men)
    product = ProductFactory(
        name="Chaz Hoodie", slug="chaz-hoodie", sku="MH01", category=tops
    )
    for size in ("S", "M"):
        VariantFactory(
            product=product,
            sku=f"MH01-{size}",
            size=size,
            price=Decimal("52.00"),
            weight_g=600,
        )
    return product


def test_export_writes_one_row_per_variant(staff_client, hoodie):
    response = staff_client.get(reverse("admin:shop_product_export"))

    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").splitlines() == [
        HEADER,
        "MH01-S,,Chaz Hoodie,chaz-hoodie,Men > Tops,standard,52.00,S,,600,,,,yes,yes",
        "MH01-M,,Chaz Hoodie,chaz-hoodie,Men > Tops,standard,52.00,M,,600,,,,yes,yes",
    ]


def test_import_updates_prices_to_the_cent(staff_client, hoodie):
    text = "\n".join(
        [
            "sku,price",
            "MH01-S,49.99",
            "MH01-M, 55.5 ",
        ]
    )

    import_csv(staff_client, PRODUCTS, text)

    prices = dict(Variant.objects.values_list("sku", "price"))
    assert prices == {"MH01-S": Decimal("49.99"), "MH01-M": Decimal("55.50")}


def test_import_records_price_history_with_user(staff_client, hoodie, admin_user):
    import_csv(staff_client, PRODUCTS, "sku,price\nMH01-S,49.99", "spring.csv")

    latest = Variant.history.filter(sku="MH01-S").first()
    assert latest.price == Decimal("49.99")
    assert latest.history_user == admin_user
    assert latest.history_change_reason == "CSV import spring.csv"


def test_preview_rejects_bad_row_and_saves_nothing(staff_client, hoodie):
    text = "\n".join(
        [
            "sku,price",
            "MH01-S,49.99",
            "MH01-M,abc",
        ]
    )

    preview = upload(staff_client, PRODUCTS, text)

    assert preview_errors(preview) == [
        "Row 3: price 'abc' is not a number; use a plain amount like 12.50"
    ]
    assert outcomes(preview) == [(2, "Changed"), (3, "Invalid")]
    assert preview.context.get("confirm_form") is None
    prices = dict(Variant.objects.values_list("sku", "price"))
    assert prices == {"MH01-S": Decimal("52.00"), "MH01-M": Decimal("52.00")}
    assert Variant.history.count() == 2


def test_preview_shows_price_before_after(staff_client, hoodie):
    preview = upload(staff_client, PRODUCTS, "sku,price,barcode\nMH01-S,49.99,")

    [report] = preview.context["row_reports"]
    columns = preview.context["result"].diff_headers
    cells = dict(zip(columns, report.diff, strict=True))
    assert cells["price"] == "52.00 → 49.99"
    assert cells["barcode"] == ""
    assert cells["product_name"] == "Chaz Hoodie"
    assert Variant.objects.get(sku="MH01-S").price == Decimal("52.00")


def test_preview_lists_every_row_error(staff_client, hoodie):
    text = "\n".join(
        [
            "sku,price,weight_g,active",
            "MH01-S,-1,600,yes",
            "MH01-M,52.00,6.5,maybe",
            "MH01-S,52.00,600,yes",
        ]
    )

    preview = upload(staff_client, PRODUCTS, text)

    assert preview_errors(preview) == [
        "Row 2: price '-1' is negative; enter 0 or more, like 12.50",
        "Row 3: weight_g '6.5' is not a whole number; enter grams as a number like 12",
        "Row 3: active 'maybe' is not yes or no; enter yes or no",
        "Row 4: sku 'MH01-S' is already on row 2; keep one row for it",
    ]


def test_unknown_column_rejected_before_rows(staff_client, hoodie):
    preview = upload(staff_client, PRODUCTS, "sku,prise\nMH01-S,49.99")

    [error] = preview_errors(preview)
    assert error.startswith(
        "The header has column 'prise', which this import does not know; "
        "rename or remove it (the columns are sku, barcode,"
    )
    assert preview.context.get("confirm_form") is None
    assert Variant.objects.get(sku="MH01-S").price == Decimal("52.00")


def test_import_adds_variant_to_existing_product(staff_client, hoodie):
    text = "\n".join(
        [
            HEADER,
            "MH01-L,,Chaz Hoodie,chaz-hoodie,Men > Tops,"
            "standard,54.00,L,,650,,,,yes,yes",
        ]
    )

    import_csv(staff_client, PRODUCTS, text)

    variant = Variant.objects.get(sku="MH01-L")
    assert variant.product == hoodie
    assert (variant.price, variant.size, variant.weight_g) == (
        Decimal("54.00"),
        "L",
        650,
    )


def test_import_creates_product_from_new_slug(staff_client, hoodie):
    text = "\n".join(
        [
            "sku,product_name,slug,category,tax_class,price,size",
            "WT01-S,Ida Tee,ida-tee,men > tops,zero_rated,19.00,S",
            "WT01-M,Ida Tee,ida-tee,Men > Tops,zero_rated,19.00,M",
        ]
    )

    import_csv(staff_client, PRODUCTS, text)

    product = Product.objects.get(slug="ida-tee")
    assert (product.sku, product.name, product.tax_class) == (
        "WT01-S",
        "Ida Tee",
        TaxClass.ZERO_RATED,
    )
    assert product.category == Category.objects.get(slug="men-tops")
    assert sorted(product.variants.values_list("sku", flat=True)) == [
        "WT01-M",
        "WT01-S",
    ]


def test_rows_of_one_product_must_agree(staff_client, hoodie):
    text = "\n".join(
        [
            "sku,product_name",
            "MH01-S,Chaz Hoodie",
            "MH01-M,Chaz Kangeroo Hoodie",
        ]
    )

    preview = upload(staff_client, PRODUCTS, text)

    assert preview_errors(preview) == [
        "Row 3: product_name differs from row 2, a variant of the same product "
        "(slug 'chaz-hoodie'); give every variant of a product the same "
        "product_name"
    ]


def test_unknown_category_rejected(staff_client, hoodie):
    preview = upload(staff_client, PRODUCTS, "sku,category\nMH01-S,Men > Teas")

    assert preview_errors(preview) == [
        "Row 2: category 'Men > Teas' is not a category of the shop; correct the "
        "path, or add the category in the admin's Categories list first"
    ]


def test_slug_cannot_move_variant(staff_client, hoodie):
    ProductFactory(slug="ida-tee")

    preview = upload(staff_client, PRODUCTS, "sku,slug\nMH01-S,ida-tee")

    assert preview_errors(preview) == [
        "Row 2: slug 'ida-tee' is not the slug of MH01-S's product 'chaz-hoodie'; "
        "keep 'chaz-hoodie', because an import cannot move a variant to another "
        "product"
    ]


def test_unchanged_rows_save_nothing(staff_client, hoodie):
    exported = staff_client.get(reverse("admin:shop_product_export"))
    entries = Variant.history.count() + Product.history.count()

    preview = upload(staff_client, PRODUCTS, exported.content.decode())
    import_csv(staff_client, PRODUCTS, exported.content.decode())

    assert outcomes(preview) == [(2, "Unchanged"), (3, "Unchanged")]
    assert Variant.history.count() + Product.history.count() == entries


def test_product_name_change_saves_product(staff_client, hoodie):
    text = "sku,product_name\nMH01-S,Chaz Kangeroo Hoodie\nMH01-M,Chaz Kangeroo Hoodie"

    import_csv(staff_client, PRODUCTS, text)

    hoodie.refresh_from_db()
    assert hoodie.name == "Chaz Kangeroo Hoodie"


def test_import_needs_add_and_change(client, hoodie):
    clerk = User.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.set(
        Permission.objects.filter(
            codename__in=[
                "view_product",
                "change_product",
                "view_variant",
                "change_variant",
            ]
        )
    )
    client.force_login(clerk)

    import_page = client.get(reverse("admin:shop_product_import"))
    export = client.get(reverse("admin:shop_product_export"))

    assert import_page.status_code == 403
    assert export.status_code == 200


def export_queries(staff_client, count):
    product = ProductFactory()
    for number in range(count):
        VariantFactory(product=product, sku=f"EXPORT-{count}-{number}")
    rows, queries = export_rows_and_queries(staff_client, "admin:shop_product_export")
    assert rows == Variant.objects.count()
    return queries


def test_export_queries_fixed(staff_client):
    few = export_queries(staff_client, 2)
    many = export_queries(staff_client, 8)

    assert few == many


@pytest.mark.parametrize(
    ("cell", "error"),
    [
        (
            "9.78045E+12",
            "'9.78045E+12' is a number in scientific notation, because a "
            "spreadsheet turned the barcode into a number; format the barcode "
            "column as text and type the full digits again",
        ),
        (
            "12345",
            "'12345' has 5 digits, but a barcode has 8, 12, 13 or 14; check the "
            "digits under the bars",
        ),
        (
            "978-0451",
            "'978-0451' is not a barcode; use the digits under the bars only, like "
            "9780451457998",
        ),
    ],
    ids=["scientific", "short", "hyphen"],
)
def test_bad_barcode_rejected(staff_client, hoodie, cell, error):
    preview = upload(staff_client, PRODUCTS, f"sku,barcode\nMH01-S,{cell}")

    assert preview_errors(preview) == [f"Row 2: barcode {error}"]
    assert Variant.objects.get(sku="MH01-S").barcode == ""


def test_thirteen_digit_barcode_saved(staff_client, hoodie):
    import_csv(staff_client, PRODUCTS, "sku,barcode\nMH01-S,9780451457998")

    assert Variant.objects.get(sku="MH01-S").barcode == "9780451457998"


@pytest.mark.parametrize("cell", ["1e3", "NaN", "Infinity", "0x10"])
def test_price_not_plain_number_rejected(staff_client, hoodie, cell):
    preview = upload(staff_client, PRODUCTS, f"sku,price\nMH01-S,{cell}")

    assert preview_errors(preview) == [
        f"Row 2: price '{cell}' is not a number; use a plain amount like 12.50"
    ]
    assert Variant.objects.get(sku="MH01-S").price == Decimal("52.00")
