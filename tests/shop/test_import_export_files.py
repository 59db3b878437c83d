"""CSV files of the admin's imports and exports as spreadsheets read them:
encodings, formulas, separators, row limits and control characters."""

from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.services import set_opening_stock
from shop.models import Customer, Variant
from tests.factories.shop import CustomerFactory, VariantFactory

from .csv_import_setup import import_csv, outcomes, preview_errors, upload

pytestmark = pytest.mark.django_db

PRODUCTS = "shop_product"
CUSTOMERS = "shop_customer"


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def file_errors(preview) -> list[str]:
    return preview.context["form"].errors.get("import_file", [])


def test_export_starts_with_byte_order_mark(staff_client):
    VariantFactory(sku="MS04-S-Red", product__name="Gobi HeatTec® Tee")

    response = staff_client.get(reverse("admin:shop_product_export"))

    assert response.content.startswith(b"\xef\xbb\xbfsku,")
    assert "Gobi HeatTec® Tee" in response.content.decode("utf-8-sig")
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_customer_export_escapes_formulas(staff_client):
    CustomerFactory(
        email="formula@example.com",
        first_name='=HYPERLINK("http://evil.example/","Open")',
        last_name="@Mallory",
        phone="+1 613 555 0188",
    )

    response = staff_client.get(reverse("admin:shop_customer_export"))

    rows = response.content.decode("utf-8-sig").splitlines()
    assert rows[1] == (
        'formula@example.com,"\'=HYPERLINK(""http://evil.example/"",""Open"")",'
        "'@Mallory,'+1 613 555 0188,no"
    )


def test_escaped_formula_imports_unchanged(staff_client):
    ann = CustomerFactory(email="ann@example.com", first_name="=Ann", last_name="-")
    exported = staff_client.get(reverse("admin:shop_customer_export"))

    preview = upload(staff_client, CUSTOMERS, exported.content)

    assert outcomes(preview) == [(2, "Unchanged")]
    ann.refresh_from_db()
    assert (ann.first_name, ann.last_name) == ("=Ann", "-")


def test_stock_export_escapes_formulas(staff_client):
    variant = VariantFactory(sku="MUG-1", product__name="=1+1 Mug", size="")
    set_opening_stock(variant=variant, quantity=1)

    response = staff_client.get(reverse("admin:inventory_stock_export"))

    row = response.content.decode("utf-8-sig").splitlines()[1]
    assert row.startswith("MUG-1,'=1+1 Mug")


def test_windows_1252_file_is_read(staff_client):
    data = "email,first_name\nzoe@example.com,Zoë\n".encode("cp1252")

    preview = upload(staff_client, CUSTOMERS, data)
    staff_client.post(
        reverse(f"admin:{CUSTOMERS}_process_import"),
        preview.context["confirm_form"].initial,
    )

    assert Customer.objects.get(email="zoe@example.com").first_name == "Zoë"


@pytest.mark.parametrize(
    "data",
    [
        "email\nann@example.com\n".encode("utf-16"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"email\n\x81\x8d\x8f\x90\x9d\n",
    ],
    ids=["utf-16", "png", "undefined-bytes"],
)
def test_file_not_text_rejected_plainly(staff_client, data):
    preview = upload(staff_client, CUSTOMERS, data)

    assert file_errors(preview) == [
        "The file is not text in UTF-8 or Windows-1252; save it as CSV UTF-8 and "
        "upload it again."
    ]
    assert Customer.objects.count() == 0


def test_semicolon_file_asks_for_commas(staff_client):
    preview = upload(staff_client, CUSTOMERS, "email;first_name\nann@example.com;Ann")

    assert file_errors(preview) == [
        "The file's columns are separated by semicolons; save it with commas as "
        'the separator (in Excel, choose "CSV UTF-8 (Comma delimited)") and '
        "upload it again."
    ]


def test_row_longer_than_header_rejected(staff_client):
    preview = upload(staff_client, CUSTOMERS, "email\nann@example.com,Ann\n")

    assert file_errors(preview) == [
        "Row 2 has 2 cells but the header has 1 columns; remove the extra cells "
        "or add their column names to the header."
    ]
    assert Customer.objects.count() == 0


def test_header_only_file_rejected(staff_client):
    preview = upload(staff_client, CUSTOMERS, "email,first_name\n\n")

    assert file_errors(preview) == ["The file has a header but no rows."]


def test_rows_over_limit_rejected(staff_client, settings):
    settings.SHOP_IMPORT_MAX_ROWS = 3
    rows = [f"customer{n}@example.com,Ann" for n in range(4)]

    preview = upload(staff_client, CUSTOMERS, "\n".join(["email,first_name", *rows]))

    assert file_errors(preview) == [
        "The file has 4 rows, more than the 3 an import takes; split it into "
        "files of 3 rows or fewer, each with the header, and import them one by "
        "one."
    ]
    assert "row_reports" not in preview.context


def test_rows_at_limit_accepted(staff_client, settings):
    settings.SHOP_IMPORT_MAX_ROWS = 3
    rows = [f"customer{n}@example.com,Ann" for n in range(3)]

    import_csv(staff_client, CUSTOMERS, "\n".join(["email,first_name", *rows]))

    assert Customer.objects.count() == 3


@pytest.mark.parametrize(
    ("cell", "code"), [("MS04\x00", "U+0000"), ("MS04\x1b", "U+001B")]
)
def test_control_character_rejected_per_row(staff_client, cell, code):
    VariantFactory(sku="MS04", price=Decimal("29.00"))
    text = f"sku,price\nMS04,30.00\n{cell},31.00"

    preview = upload(staff_client, PRODUCTS, text)

    assert preview_errors(preview) == [
        f"Row 3: sku contains the control character {code}, which a spreadsheet "
        "does not show; delete the cell's text and type it again"
    ]
    assert Variant.objects.get().price == Decimal("29.00")


def test_tab_in_cell_accepted(staff_client):
    import_csv(staff_client, CUSTOMERS, 'email,first_name\nann@example.com,"Ann\t"')

    assert Customer.objects.get().first_name == "Ann"
