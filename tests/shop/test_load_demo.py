import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, F, Max, Q, Sum

from inventory.models import Stock, StockMovement
from shipping.models import PackagingBox
from shop.demo_data import opening_quantity
from shop.models import Category, Product, Variant


def load_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "products": Product.objects.count(),
        "variants": Variant.objects.count(),
        "categories": Category.objects.count(),
        "stock": Stock.objects.aggregate(
            rows=Count("pk"), units=Sum("quantity_on_hand")
        ),
        "movements": StockMovement.objects.count(),
        "variant_updated_at": Variant.objects.aggregate(Max("updated_at")),
        "product_updated_at": Product.objects.aggregate(Max("updated_at")),
    }


@pytest.fixture
def demo_password(monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "harbour-demo-1")
    return "harbour-demo-1"


@pytest.mark.django_db
def test_load_demo_loads_catalog_and_stock(demo_password):
    load_demo()

    assert Product.objects.count() == 389
    assert Variant.objects.count() == 2089
    assert Category.objects.count() == 28
    stock = Stock.objects.aggregate(
        rows=Count("pk"),
        units=Sum("quantity_on_hand"),
        out=Count("pk", filter=Q(quantity_on_hand=0)),
        low=Count("pk", filter=Q(quantity_on_hand__range=(1, 5))),
    )
    assert stock == {"rows": 2089, "units": 49546, "out": 168, "low": 247}


@pytest.mark.django_db
def test_load_demo_stock_equals_movements(demo_password):
    load_demo()

    movement_units = StockMovement.objects.aggregate(total=Sum("quantity"))["total"]
    assert movement_units == 49546
    assert StockMovement.objects.exclude(kind="opening").count() == 0
    assert StockMovement.objects.filter(created_by__username="admin").count() == 1921
    mismatched = Stock.objects.annotate(
        moved=Sum("movements__quantity", default=0)
    ).exclude(moved=F("quantity_on_hand"))
    assert mismatched.count() == 0


@pytest.mark.django_db
def test_load_demo_sets_book_tax_class(demo_password):
    load_demo()

    book = Product.objects.get(sku="9780132350884")
    assert book.name == "Clean Code"
    assert book.tax_class == "printed_book"
    assert Product.objects.get(sku="MH01").tax_class == "standard"


@pytest.mark.django_db
def test_load_demo_sets_category_packaging(demo_password):
    load_demo()

    tees = Product.objects.get(sku="MS01").category
    assert tees.name == "Tees"
    assert tees.default_weight_g == 250
    assert tees.default_length_cm == Decimal("30.0")
    assert tees.default_width_cm == Decimal("25.0")
    assert tees.default_height_cm == Decimal("3.0")
    unpackaged = Category.objects.filter(default_weight_g__isnull=True)
    assert sorted(unpackaged.values_list("name", flat=True)) == [
        "Bottoms",
        "Bottoms",
        "Fiction",
        "Non-Fiction",
        "Tops",
        "Tops",
    ]


@pytest.mark.django_db
def test_load_demo_prints_login_from_environment(demo_password):
    output = load_demo()

    assert output.splitlines()[-1] == (
        "Staff login: username admin, password harbour-demo-1"
    )
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_staff is True
    assert admin.is_superuser is True
    assert admin.check_password("harbour-demo-1") is True


@pytest.mark.django_db
def test_load_demo_generates_password(monkeypatch):
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)

    output = load_demo()

    password = output.splitlines()[-1].rsplit(" ", 1)[-1]
    assert len(password) == 16
    assert get_user_model().objects.get(username="admin").check_password(password)


@pytest.mark.django_db
def test_load_demo_resets_existing_admin(demo_password):
    get_user_model().objects.create_user("admin", password="forgotten")

    load_demo()

    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password("harbour-demo-1") is True
    assert admin.is_superuser is True
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing(monkeypatch):
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)
    load_demo()
    before = snapshot()

    output = load_demo()

    assert snapshot() == before
    assert "  Products: 0 created, 0 updated, 191 unchanged" in output
    assert "  Variants: 0 created, 0 updated, 198 unchanged" in output
    assert "Default packaging set on 0 categories." in output
    assert "Opening stock set for 0 variants." in output


@pytest.mark.parametrize(
    ("sku", "expected"),
    [
        ("MH01-XS-Black", 8),
        ("MH01-S-Black", 5),
        ("MH02-S-Purple", 0),
        ("24-MB01", 17),
        ("9780132350884", 39),
    ],
)
def test_opening_quantity_by_sku(sku, expected):
    assert opening_quantity(sku) == expected


@pytest.mark.django_db
def test_load_demo_stock_matches_opening_quantity(demo_password):
    load_demo()

    assert Stock.objects.get(variant__sku="MH01-S-Black").quantity_on_hand == 5
    assert Stock.objects.get(variant__sku="MH02-S-Purple").quantity_on_hand == 0


@pytest.mark.django_db
def test_load_demo_adds_packaging_boxes():
    call_command("load_demo", stdout=io.StringIO())

    assert sorted(PackagingBox.objects.values_list("name", flat=True)) == [
        "Book carton",
        "Large",
        "Medium",
        "Small",
    ]
