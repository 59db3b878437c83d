import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from shop.catalog_import import CatalogImportError, import_catalog
from shop.models import Variant

HEADER = "sku,name,category,price_cad,cost\n"


def run_import(text, **options):
    return import_catalog(io.StringIO(text), **options)


@pytest.mark.django_db
def test_cost_column_sets_unit_cost():
    run_import(HEADER + "MUG-1,Lighthouse Mug,Kitchen,14.50,6.2\n")

    assert Variant.objects.get(sku="MUG-1").unit_cost == Decimal("6.20")


@pytest.mark.django_db
def test_empty_cost_cell_clears_unit_cost():
    run_import(HEADER + "MUG-1,Lighthouse Mug,Kitchen,14.50,6.20\n")

    report = run_import(HEADER + "MUG-1,Lighthouse Mug,Kitchen,14.50,\n")

    assert report.changed_fields == {"variant unit_cost": 1}
    assert Variant.objects.get(sku="MUG-1").unit_cost is None


@pytest.mark.django_db
def test_file_without_cost_keeps_unit_cost():
    run_import(HEADER + "MUG-1,Lighthouse Mug,Kitchen,14.50,6.20\n")

    report = run_import(
        "sku,name,category,price_cad\nMUG-1,Lighthouse Mug,Kitchen,15\n"
    )

    assert report.changed_fields == {"variant price": 1}
    assert Variant.objects.get(sku="MUG-1").unit_cost == Decimal("6.20")


BAD_COSTS = [
    pytest.param(
        '"6,2"',
        'line 2: cost "6,2" is not a number; use a dot for cents, as in 12.50',
        id="comma",
    ),
    pytest.param(
        "$6",
        'line 2: cost "$6" is not a number; enter the unit cost in CAD without '
        "a currency sign, as in 12.50",
        id="currency-sign",
    ),
    pytest.param(
        "-1.00",
        'line 2: cost "-1.00" is negative; enter 0 or more',
        id="negative",
    ),
    pytest.param(
        "6.205",
        'line 2: cost "6.205" has more than 2 decimal places; round it to the '
        "cent, as in 12.50",
        id="fraction-of-cent",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("cell", "message"), BAD_COSTS)
def test_bad_cost_rejected_with_fix(cell, message):
    with pytest.raises(CatalogImportError) as raised:
        run_import(HEADER + f"MUG-1,Lighthouse Mug,Kitchen,14.50,{cell}\n")

    assert raised.value.messages == [message]
    assert Variant.objects.count() == 0


@pytest.mark.django_db
def test_cost_above_price_warned_in_dry_run():
    report = run_import(
        HEADER + "MUG-1,Lighthouse Mug,Kitchen,14.50,15.00\n", dry_run=True
    )

    assert report.warnings == [
        'line 2: cost "15.00" is more than price_cad "14.50" for sku "MUG-1"; '
        "check both amounts"
    ]
    assert report.lines()[-1] == f"Warning: {report.warnings[0]}"
    assert Variant.objects.count() == 0


@pytest.mark.django_db
def test_cost_above_price_still_imported(tmp_path):
    out = io.StringIO()
    path = tmp_path / "catalog.csv"
    path.write_text(HEADER + "MUG-1,Lighthouse Mug,Kitchen,14.50,15.00\n")

    call_command("import_catalog", path, stdout=out)

    assert Variant.objects.get(sku="MUG-1").unit_cost == Decimal("15.00")
    assert 'Warning: line 2: cost "15.00" is more than price_cad' in out.getvalue()
