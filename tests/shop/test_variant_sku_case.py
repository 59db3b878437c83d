"""Variant SKUs are unique ignoring letter case, as every lookup ignores it."""

import importlib
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from shop.catalog_import import CatalogImportError, import_catalog
from shop.models import Variant
from tests.factories.shop import CategoryFactory, ProductFactory, VariantFactory

from .csv_import_setup import preview_errors, upload
from .variant_admin_setup import variant_change_data

pytestmark = pytest.mark.django_db

PRODUCT_CSV_HEADER = "sku,product_name,slug,category,price"
CATALOG_HEADER = "sku,name,category,price_cad,parent_sku\n"

migration = importlib.import_module(
    "shop.migrations.0008_variant_sku_unique_ignoring_case"
)


@pytest.fixture
def tee():
    """Variant MS04-S-Red of a tee in category Men."""
    men = CategoryFactory(name="Men", slug="men")
    product = ProductFactory(name="Gobi Tee", slug="gobi-tee", sku="MS04", category=men)
    return VariantFactory(product=product, sku="MS04-S-Red", price=Decimal("29.00"))


def test_database_rejects_sku_in_other_case(tee):
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.create(product=tee.product, sku="ms04-s-red", price=1)

    assert list(Variant.objects.values_list("sku", flat=True)) == ["MS04-S-Red"]


def test_variant_admin_rejects_sku_in_other_case(client, admin_user, tee):
    other = VariantFactory(product=tee.product, sku="MS04-M-Red")
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:shop_variant_change", args=[other.pk]),
        variant_change_data(other, sku="ms04-s-red"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["sku"] == [
        "SKU 'ms04-s-red' is already in use: variant 'MS04-S-Red' has it in "
        "other letter case, and SKUs are matched ignoring case. Use 'MS04-S-Red' "
        "to change that variant, or choose another SKU."
    ]
    other.refresh_from_db()
    assert other.sku == "MS04-M-Red"


def test_variant_admin_allows_own_sku_recased(client, admin_user, tee):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:shop_variant_change", args=[tee.pk]),
        variant_change_data(tee, sku="MS04-S-RED"),
    )

    assert response.status_code == 302
    tee.refresh_from_db()
    assert tee.sku == "MS04-S-RED"


def variant_row(prefix, sku, variant=None):
    row = {
        "id": variant.pk if variant else "",
        "product": variant.product_id if variant else "",
        "sku": sku,
        "size": "",
        "colour": "",
        "price": "29.00",
        "barcode": "",
        "weight_g": "",
        "length_cm": "",
        "width_cm": "",
        "height_cm": "",
        "is_active": "on",
    }
    return {f"{prefix}-{name}": value for name, value in row.items()}


def test_product_admin_rejects_case_only_rows(client, admin_user, tee):
    product = tee.product
    client.force_login(admin_user)
    data = {
        "category": product.category_id,
        "sku": product.sku,
        "name": product.name,
        "slug": product.slug,
        "description": "",
        "tax_class": product.tax_class,
        "is_active": "on",
        "variants-TOTAL_FORMS": "3",
        "variants-INITIAL_FORMS": "1",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
        **variant_row("variants-0", "MS04-S-Red", tee),
        **variant_row("variants-1", "ms04-s-black"),
        **variant_row("variants-2", "MS04-S-Black"),
    }

    response = client.post(
        reverse("admin:shop_product_change", args=[product.pk]), data
    )

    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[1].errors == {}
    assert formset.forms[2].errors["sku"] == [
        "SKU 'MS04-S-Black' is already in use: variant 'ms04-s-black' has it in "
        "other letter case, and SKUs are matched ignoring case. Use "
        "'ms04-s-black' to change that variant, or choose another SKU."
    ]
    assert list(Variant.objects.values_list("sku", flat=True)) == ["MS04-S-Red"]


def test_product_csv_rejects_stored_sku_other_case(client, admin_user, tee):
    client.force_login(admin_user)
    text = f"{PRODUCT_CSV_HEADER}\nms04-s-red,Gobi Tee,gobi-tee,Men,29.00\n"

    preview = upload(client, "shop_product", text)

    assert preview.context.get("confirm_form") is None
    assert preview_errors(preview) == [
        "Row 2: sku 'ms04-s-red' differs from the shop's sku 'MS04-S-Red' only "
        "in letter case, and SKUs are matched ignoring case; write 'MS04-S-Red' "
        "to update that variant, or choose another SKU"
    ]
    assert Variant.objects.count() == 1


def test_product_csv_rejects_row_sku_other_case(client, admin_user, tee):
    client.force_login(admin_user)
    text = (
        f"{PRODUCT_CSV_HEADER}\n"
        "MS04-L-Red,Gobi Tee,gobi-tee,Men,29.00\n"
        "ms04-l-red,Gobi Tee,gobi-tee,Men,29.00\n"
    )

    preview = upload(client, "shop_product", text)

    assert preview.context.get("confirm_form") is None
    assert preview_errors(preview) == [
        "Row 3: sku 'ms04-l-red' differs from sku 'MS04-L-Red' on row 2 only in "
        "letter case, and SKUs are matched ignoring case; keep one row for it, "
        "or choose another SKU"
    ]
    assert Variant.objects.count() == 1


def test_catalog_import_rejects_stored_sku_other_case(tee):
    text = CATALOG_HEADER + "ms04-s-red,Gobi Tee S Red,Men,29.00,MS04\n"

    with pytest.raises(CatalogImportError) as raised:
        import_catalog(io.StringIO(text))

    assert raised.value.messages == [
        'line 2: sku "ms04-s-red" differs from the shop\'s sku "MS04-S-Red" '
        "only in letter case, and SKUs are matched ignoring case; write "
        '"MS04-S-Red" to update that variant, or choose another SKU'
    ]
    assert Variant.objects.count() == 1


def test_catalog_import_rejects_row_sku_other_case():
    text = (
        CATALOG_HEADER
        + "MUG-1,Lighthouse Mug,Kitchen,14.50,\n"
        + "mug-1,Lighthouse Mug,Kitchen,14.50,\n"
    )

    with pytest.raises(CatalogImportError) as raised:
        import_catalog(io.StringIO(text))

    assert raised.value.messages == [
        'line 3: sku "mug-1" differs from sku "MUG-1" on line 2 only in letter '
        "case, and SKUs are matched ignoring case; keep one row per SKU, or "
        "choose another SKU"
    ]
    assert Variant.objects.count() == 0


def test_catalog_command_names_both_skus(tmp_path, tee):
    path = tmp_path / "catalog.csv"
    path.write_text(CATALOG_HEADER + "ms04-s-red,Gobi Tee S Red,Men,29.00,MS04\n")

    with pytest.raises(CommandError) as raised:
        call_command("import_catalog", str(path))

    assert '"ms04-s-red"' in str(raised.value)
    assert '"MS04-S-Red"' in str(raised.value)
    assert Variant.objects.count() == 1


def test_migration_check_lists_case_duplicates(tee):
    # The test database has the unique index already. Dropping it here is
    # undone with the test's transaction, on SQLite and PostgreSQL alike.
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX variant_sku_unique")
    duplicate = VariantFactory(product=tee.product, sku="ms04-s-red")

    with pytest.raises(migration.CaseOnlyDuplicateSkus) as raised:
        migration.check_case_only_duplicates(apps, None)

    assert str(raised.value) == (
        "Variant SKUs must be unique ignoring letter case, but these variants "
        f"share a SKU: 'MS04-S-Red' (variant {tee.pk}), 'ms04-s-red' (variant "
        f"{duplicate.pk}). Give each variant a SKU of its own, or delete the "
        "extra one, in the admin (Shop > Variants), then run migrate again. "
        "Nothing was changed."
    )


def test_migration_check_passes_distinct_skus(tee):
    VariantFactory(product=tee.product, sku="MS04-M-Red")

    assert migration.check_case_only_duplicates(apps, None) is None
