import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shop.catalog_import import (
    CatalogImportError,
    ChangeCounts,
    import_catalog,
    open_catalog,
)
from shop.catalog_import.products import split_options
from shop.models import Category, Product, Variant
from tests.factories.shop import CategoryFactory, ProductFactory

DEMO_DATA = Path(__file__).resolve().parents[2] / "shop" / "demo_data"
HEADER = (
    "sku,name,description,category,price_cad,weight_g,length_cm,width_cm,"
    "height_cm,barcode,parent_sku\n"
)
# Line 2 has a description over three physical lines, so the rows after it
# start on lines 5 and 6.
BASE_ROWS = (
    'TEE-S-Blue,Harbour Tee-S-Blue,"Soft cotton.\nMade in Canada.\nFits true.",'
    "Men > Tops > Tees,25.00,250,30,25,3,,TEE\n"
    "TEE-M-Blue,Harbour Tee-M-Blue,,Men > Tops > Tees,25.00,,,,,,TEE\n"
    "MUG-1,Lighthouse Mug,,Kitchen,14.50,400,,,,0123456789012,\n"
)


def run_import(text, **options):
    return import_catalog(io.StringIO(text), **options)


def catalog_counts():
    return (Product.objects.count(), Variant.objects.count(), Category.objects.count())


def category_path(category):
    return [node.name for node in (*Category.objects.get_ancestors(category), category)]


@pytest.mark.django_db
def test_import_demo_catalogs_counts():
    for name in ("luma-apparel-gear.csv", "oscar-books.csv"):
        with open(DEMO_DATA / name, encoding="utf-8", newline="") as file:
            import_catalog(file)

    assert Product.objects.count() == 389
    assert Variant.objects.count() == 2089
    assert Category.objects.count() == 28


@pytest.mark.django_db
def test_import_luma_report_and_sample_variant():
    with open(DEMO_DATA / "luma-apparel-gear.csv", encoding="utf-8", newline="") as f:
        report = import_catalog(f)

    assert report.categories_created == 22
    assert report.products == ChangeCounts(created=191, updated=0, unchanged=0)
    assert report.variants == ChangeCounts(created=1891, updated=0, unchanged=0)
    variant = Variant.objects.get(sku="MH01-XS-Black")
    assert variant.price == Decimal("52.00")
    assert variant.size == "XS"
    assert variant.colour == "Black"
    assert variant.weight_g is None
    assert variant.product.sku == "MH01"
    assert variant.product.name == "Chaz Kangeroo Hoodie"
    assert variant.product.slug == "chaz-kangeroo-hoodie"
    assert variant.product.variants.count() == 15
    assert category_path(variant.product.category) == [
        "Men",
        "Tops",
        "Hoodies & Sweatshirts",
    ]


@pytest.mark.django_db
def test_import_books_with_tax_class_option():
    with open(DEMO_DATA / "oscar-books.csv", encoding="utf-8", newline="") as file:
        import_catalog(file, tax_class="printed_book")

    book = Product.objects.get(sku="9780131103627")
    assert book.name == "The C Programming Language"
    assert book.tax_class == "printed_book"
    assert book.variants.get().barcode == "9780131103627"
    assert book.variants.get().price == Decimal("9.99")
    assert Product.objects.exclude(tax_class="printed_book").count() == 0


@pytest.mark.django_db
def test_import_creates_parent_and_simple_product():
    report = run_import(HEADER + BASE_ROWS)

    assert report.products == ChangeCounts(created=2, updated=0, unchanged=0)
    assert report.variants == ChangeCounts(created=3, updated=0, unchanged=0)
    tee = Product.objects.get(sku="TEE")
    assert tee.name == "Harbour Tee"
    assert tee.description == "Soft cotton.\nMade in Canada.\nFits true."
    assert list(tee.variants.values_list("sku", "size", "colour")) == [
        ("TEE-S-Blue", "S", "Blue"),
        ("TEE-M-Blue", "M", "Blue"),
    ]
    small = Variant.objects.get(sku="TEE-S-Blue")
    assert small.weight_g == 250
    assert (small.length_cm, small.width_cm, small.height_cm) == (
        Decimal("30.0"),
        Decimal("25.0"),
        Decimal("3.0"),
    )
    mug = Variant.objects.get(sku="MUG-1")
    assert mug.product.sku == "MUG-1"
    assert mug.product.name == "Lighthouse Mug"
    assert mug.product.tax_class == "standard"
    assert mug.price == Decimal("14.50")
    assert mug.barcode == "0123456789012"


@pytest.mark.django_db
def test_import_builds_category_tree_with_unique_slugs():
    run_import(
        HEADER
        + "A1,Tee A,,Men > Tops > Tees,10.00,,,,,,\n"
        + "B1,Tee B,,Women > Tops > Tees,10.00,,,,,,\n"
    )

    men_tees = Product.objects.get(sku="A1").category
    women_tees = Product.objects.get(sku="B1").category
    assert men_tees.slug == "men-tops-tees"
    assert women_tees.slug == "women-tops-tees"
    assert category_path(women_tees) == ["Women", "Tops", "Tees"]
    assert Category.objects.count() == 6


@pytest.mark.django_db
def test_import_reuses_existing_category_ignoring_case():
    root = CategoryFactory(name="Kitchen", slug="kitchen")

    run_import(HEADER + "MUG-1,Mug,,kitchen,14.50,,,,,,\n")

    assert Product.objects.get(sku="MUG-1").category == root
    assert Category.objects.count() == 1


@pytest.mark.django_db
def test_import_same_names_get_unique_slugs():
    run_import(
        HEADER
        + "BALL-gray,Stasis Ball,,Gear,20.00,,,,,,\n"
        + "BALL-pink,Stasis Ball,,Gear,20.00,,,,,,\n"
        + "9780130313584,Современные операционные системы,,Books,9.99,,,,,,\n"
    )

    slugs = dict(Product.objects.values_list("sku", "slug"))
    assert slugs == {
        "BALL-gray": "stasis-ball",
        "BALL-pink": "stasis-ball-ball-pink",
        "9780130313584": "9780130313584",
    }


@pytest.mark.django_db
def test_import_keeps_slug_when_name_changes():
    run_import(HEADER + BASE_ROWS)

    run_import(HEADER + BASE_ROWS.replace("Lighthouse Mug", "Beacon Mug"))

    mug = Product.objects.get(sku="MUG-1")
    assert mug.name == "Beacon Mug"
    assert mug.slug == "lighthouse-mug"


@pytest.mark.django_db
def test_import_twice_changes_nothing():
    run_import(HEADER + BASE_ROWS)
    stamps = dict(Variant.objects.values_list("sku", "updated_at"))
    product_stamps = dict(Product.objects.values_list("sku", "updated_at"))

    report = run_import(HEADER + BASE_ROWS)

    assert report.categories_created == 0
    assert report.products == ChangeCounts(created=0, updated=0, unchanged=2)
    assert report.variants == ChangeCounts(created=0, updated=0, unchanged=3)
    assert report.changed_fields == {}
    assert dict(Variant.objects.values_list("sku", "updated_at")) == stamps
    assert dict(Product.objects.values_list("sku", "updated_at")) == product_stamps


@pytest.mark.django_db
def test_import_updates_only_changed_fields():
    run_import(HEADER + BASE_ROWS)
    before = dict(Variant.objects.values_list("sku", "updated_at"))

    report = run_import(HEADER + BASE_ROWS.replace("14.50,400", "15.00,450"))

    assert report.variants == ChangeCounts(created=0, updated=1, unchanged=2)
    assert report.changed_fields == {"variant price": 1, "variant weight_g": 1}
    mug = Variant.objects.get(sku="MUG-1")
    assert mug.price == Decimal("15.00")
    assert mug.weight_g == 450
    assert mug.updated_at > before["MUG-1"]
    assert Variant.objects.get(sku="TEE-S-Blue").updated_at == before["TEE-S-Blue"]


@pytest.mark.django_db
def test_import_leaves_absent_columns_alone():
    run_import(HEADER + BASE_ROWS)

    report = run_import(
        "sku,name,category,price_cad\nMUG-1,Lighthouse Mug,Kitchen,16\n"
    )

    assert report.variants == ChangeCounts(created=0, updated=1, unchanged=0)
    mug = Variant.objects.get(sku="MUG-1")
    assert mug.price == Decimal("16.00")
    assert mug.weight_g == 400
    assert mug.barcode == "0123456789012"


@pytest.mark.django_db
def test_import_dry_run_writes_nothing():
    run_import(HEADER + BASE_ROWS)
    changed = BASE_ROWS.replace("14.50", "15.00") + "CAP-1,Cap,,Hats,12.00,,,,,,\n"

    report = run_import(HEADER + changed, dry_run=True)

    assert report.dry_run is True
    assert report.categories_created == 1
    assert report.products == ChangeCounts(created=1, updated=0, unchanged=2)
    assert report.variants == ChangeCounts(created=1, updated=1, unchanged=2)
    assert report.changed_fields == {"variant price": 1}
    assert catalog_counts() == (2, 3, 4)
    assert Variant.objects.get(sku="MUG-1").price == Decimal("14.50")


@pytest.mark.django_db
def test_import_tax_class_column_wins_over_option():
    run_import(
        "sku,name,category,price_cad,tax_class\n"
        "BOOK-1,Atlas,Books,30.00,\n"
        "CARD-1,Gift card,Books,25.00,zero_rated\n",
        tax_class="printed_book",
    )

    taxes = dict(Product.objects.values_list("sku", "tax_class"))
    assert taxes == {"BOOK-1": "printed_book", "CARD-1": "zero_rated"}


@pytest.mark.django_db
def test_import_keeps_tax_class_without_option():
    product = ProductFactory(sku="BOOK-1", tax_class="printed_book")

    run_import("sku,name,category,price_cad\nBOOK-1,Atlas,Books,30.00\n")

    product.refresh_from_db()
    assert product.tax_class == "printed_book"


@pytest.mark.django_db
def test_import_variant_of_existing_product():
    product = ProductFactory(sku="JACKET")

    run_import(HEADER + "NAVY-XL,Jacket XL navy,,Men,80.00,,,,,,JACKET\n")

    variant = Variant.objects.get(sku="NAVY-XL")
    assert variant.product == product
    assert variant.size == ""
    product.refresh_from_db()
    assert product.name != "Jacket XL navy"


@pytest.mark.django_db
def test_import_moves_variant_to_other_product():
    run_import(HEADER + "TEE-S,Tee-S,,Tees,10.00,,,,,,TEE\n")
    other = ProductFactory(sku="SHIRT")

    report = run_import(HEADER + "TEE-S,Tee-S,,Tees,10.00,,,,,,SHIRT\n")

    assert report.variants == ChangeCounts(created=0, updated=1, unchanged=0)
    assert report.changed_fields == {"variant product": 1}
    assert Variant.objects.get(sku="TEE-S").product == other


@pytest.mark.django_db
def test_import_parent_row_describes_product_only():
    run_import(
        HEADER
        + "CAP,Storm Cap,Waxed cotton.,Hats,30.00,,,,,,\n"
        + "CAP-M,Storm Cap-M,,Hats,30.00,,,,,,CAP\n"
    )

    product = Product.objects.get(sku="CAP")
    assert product.name == "Storm Cap"
    assert product.description == "Waxed cotton."
    assert list(product.variants.values_list("sku", flat=True)) == ["CAP-M"]


BAD_ROWS = [
    pytest.param(
        ",Lantern,,Kitchen,10.00,,,,,,\n",
        "line 7: sku is missing; every row needs its own SKU",
        id="missing-sku",
    ),
    pytest.param(
        'LAMP-1,Lantern,,Kitchen,"12,5",,,,,,\n',
        'line 7: price_cad "12,5" is not a number; use a dot for cents, as in 12.50',
        id="comma-price",
    ),
    pytest.param(
        "LAMP-1,Lantern,,Kitchen,$12,,,,,,\n",
        'line 7: price_cad "$12" is not a number; enter the price in CAD without '
        "a currency sign, as in 12.50",
        id="currency-sign",
    ),
    pytest.param(
        "LAMP-1,Lantern,,Kitchen,-1.00,,,,,,\n",
        'line 7: price_cad "-1.00" is negative; enter 0 or more',
        id="negative-price",
    ),
    pytest.param(
        "LAMP-1,Lantern,,Kitchen,12.505,,,,,,\n",
        'line 7: price_cad "12.505" has more than 2 decimal places; round it to '
        "the cent, as in 12.50",
        id="fraction-of-cent",
    ),
    pytest.param(
        "LAMP-1,Lantern,,Kitchen,12.00,-5,,,,,\n",
        'line 7: weight_g "-5" is negative; enter the packed weight in grams, '
        "0 or more",
        id="negative-weight",
    ),
    pytest.param(
        "LAMP-1,Lantern,,Kitchen,12.00,0.25,,,,,\n",
        'line 7: weight_g "0.25" is not a whole number of grams; enter the '
        "packed weight in grams, as in 250",
        id="weight-in-kg",
    ),
    pytest.param(
        "LAMP-1,Lantern,,Kitchen,12.00,,30.25,,,,\n",
        'line 7: length_cm "30.25" has more than 1 decimal place; round it to '
        "the millimetre, as in 30.5",
        id="dimension-precision",
    ),
    pytest.param(
        "LAMP-1,Lantern,,Kitchen > ,12.00,,,,,,\n",
        'line 7: category "Kitchen >" has an empty level; separate levels with '
        '" > ", as in Men > Tops > Tees',
        id="empty-category-level",
    ),
    pytest.param(
        "LAMP-1,Lantern,,Kitchen,12.00,,,,,,LANTERN\n",
        'line 7: parent_sku "LANTERN" is unknown: sku "LAMP-1" does not start '
        'with "LANTERN-" and no product has that SKU; correct parent_sku or '
        "import the parent product first",
        id="unknown-parent",
    ),
    pytest.param(
        "MUG-1,Lighthouse Mug,,Kitchen,14.50,,,,,,\n",
        'line 7: sku "MUG-1" is already on line 6; keep one row per SKU',
        id="duplicate-sku",
    ),
    pytest.param(
        "LAMP 1,Lantern,,Kitchen,12.00,,,,,,\n",
        'line 7: sku "LAMP 1" contains a space; write SKUs without spaces, '
        "as in MH01-XS-Black",
        id="space-in-sku",
    ),
    pytest.param(
        "LAMP-1,Lantern,,Kitchen,12.00,,,,,\n",
        "line 7: 10 fields but the header has 11 columns; quote any field that "
        "contains a comma",
        id="missing-field",
    ),
    pytest.param(
        "TEE-L-Blue,Harbour Tee-L-Blue,,Women > Tees,25.00,,,,,,TEE\n",
        'line 7: category "Women > Tees" differs from "Men > Tops > Tees" on '
        "line 2 for product TEE; give every variant of a product the same "
        "category",
        id="variant-category",
    ),
]


@pytest.mark.parametrize(("bad_row", "message"), BAD_ROWS)
@pytest.mark.django_db
def test_import_bad_row_reports_line_and_fix(bad_row, message):
    run_import(HEADER + BASE_ROWS)
    before = catalog_counts()
    # The good rows would change the mug's price and add a product.
    text = HEADER + BASE_ROWS.replace("14.50", "15.00") + bad_row

    with pytest.raises(CatalogImportError) as raised:
        run_import(text + "CAP-1,Cap,,Hats,12.00,,,,,,\n")

    assert raised.value.messages == [message]
    assert catalog_counts() == before
    assert Variant.objects.get(sku="MUG-1").price == Decimal("14.50")


@pytest.mark.django_db
def test_import_lists_every_bad_line():
    text = HEADER + ",A,,X,1,,,,,,\n" + "B,B,,X,1;5,,,,,,\n"

    with pytest.raises(CatalogImportError) as raised:
        run_import(text)

    assert raised.value.messages == [
        "line 2: sku is missing; every row needs its own SKU",
        'line 3: price_cad "1;5" is not a number; enter the price in CAD '
        "without a currency sign, as in 12.50",
    ]
    assert catalog_counts() == (0, 0, 0)


@pytest.mark.django_db
def test_import_unknown_column_rejected():
    with pytest.raises(CatalogImportError) as raised:
        run_import("sku,name,category,price_cad,colour\nA,A,X,1.00,Red\n")

    assert raised.value.messages == [
        'line 1: column "colour" is not a catalog column; rename or remove it '
        "(the columns are sku,name,category,price_cad,description,weight_g,"
        "length_cm,width_cm,height_cm,barcode,parent_sku,tax_class,cost)"
    ]
    assert catalog_counts() == (0, 0, 0)


@pytest.mark.django_db
def test_import_missing_column_rejected():
    with pytest.raises(CatalogImportError) as raised:
        run_import("sku,name,category\nA,A,X\n")

    assert raised.value.messages == [
        'line 1: column "price_cad" is missing; add it to the header'
    ]


@pytest.mark.django_db
def test_import_unknown_tax_class_rejected():
    with pytest.raises(CatalogImportError) as raised:
        run_import("sku,name,category,price_cad,tax_class\nA,A,X,1.00,book\n")

    assert raised.value.messages == [
        'line 2: tax_class "book" is not a tax class; use one of standard, '
        "printed_book, zero_rated, or leave it empty for the default"
    ]
    assert catalog_counts() == (0, 0, 0)


@pytest.mark.django_db
def test_import_empty_file_rejected():
    with pytest.raises(CatalogImportError, match="line 1: the file is empty"):
        run_import("")


@pytest.mark.django_db
def test_import_skips_blank_lines():
    report = run_import(HEADER + "\n" + BASE_ROWS + "\n")

    assert report.variants.created == 3


@pytest.mark.parametrize(
    ("ending", "expected"),
    [
        ("XS-Black", ("XS", "Black")),
        ("32-Blue", ("32", "Blue")),
        ("M-Light-Blue", ("M", "Light-Blue")),
        ("XL", ("XL", "")),
        ("Red", ("", "Red")),
    ],
)
def test_split_options_by_ending(ending, expected):
    assert split_options(ending) == expected


@pytest.mark.django_db
def test_command_prints_report(tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text(HEADER + BASE_ROWS, encoding="utf-8")
    out = io.StringIO()

    call_command("import_catalog", str(path), "--dry-run", stdout=out)

    assert out.getvalue() == (
        "Dry run: nothing was written. The import would make:\n"
        "Categories: 4 created\n"
        "Products: 2 created, 0 updated, 0 unchanged\n"
        "Variants: 3 created, 0 updated, 0 unchanged\n"
    )
    assert catalog_counts() == (0, 0, 0)


@pytest.mark.django_db
def test_command_bad_file_raises_command_error(tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text(HEADER + "A,A,,X,12,5,,,,,,\n", encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        call_command("import_catalog", str(path))

    assert str(raised.value) == (
        f"{path} was not imported; nothing was changed.\n"
        "line 2: 12 fields but the header has 11 columns; quote any field that "
        "contains a comma"
    )


@pytest.mark.django_db
def test_command_reads_byte_order_mark(tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text("\ufeff" + HEADER + BASE_ROWS, encoding="utf-8")

    call_command("import_catalog", str(path), stdout=io.StringIO())

    assert catalog_counts() == (2, 3, 4)


@pytest.mark.django_db
def test_command_missing_file_raises_command_error(tmp_path):
    path = tmp_path / "absent.csv"

    with pytest.raises(CommandError, match=r"Cannot read .*absent\.csv: No such file"):
        call_command("import_catalog", str(path))


@pytest.mark.django_db
def test_import_unclosed_quote_names_its_line():
    text = HEADER + BASE_ROWS + 'LAMP-1,Lantern,"Never closed,Kitchen,12.00,,,,,,\n'

    with pytest.raises(CatalogImportError) as raised:
        run_import(text + "CAP-1,Cap,,Hats,12.00,,,,,,\n")

    assert raised.value.messages == [
        "line 7: the quotes in this row are unbalanced (unexpected end of data); "
        "put a field that contains commas, quotes or line breaks in double "
        'quotes, and double each quote inside it: "a ""big"" mug"'
    ]
    assert catalog_counts() == (0, 0, 0)


@pytest.mark.django_db
def test_open_catalog_names_line_of_bad_byte(tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_bytes(b"sku,name,category,price_cad\nA1,Lamp,Home,1\nA2,L\xe9,Home,1\n")

    with pytest.raises(CatalogImportError) as raised:
        open_catalog(path)

    assert raised.value.messages == [
        'line 3: the file is not UTF-8 text; save it as "CSV UTF-8" and import it again'
    ]


@pytest.mark.django_db
def test_import_windows_line_endings():
    text = (HEADER + BASE_ROWS).replace("\n", "\r\n")

    report = run_import(text)

    assert report.variants.created == 3
    tee = Product.objects.get(sku="TEE")
    assert tee.description == "Soft cotton.\r\nMade in Canada.\r\nFits true."
