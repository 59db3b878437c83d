"""Make variant SKUs unique ignoring case, and name a negative price.

Every lookup of a SKU ignores case, so two variants whose SKUs differ only
in case make a scan ambiguous. Existing duplicates are not renamed here,
because only the shop knows which SKU is printed on its labels: the
migration stops and lists them instead.
"""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Lower

import shop.money


class CaseOnlyDuplicateSkus(Exception):
    """Variants whose SKUs differ only in letter case."""


def check_case_only_duplicates(apps, schema_editor):
    Variant = apps.get_model("shop", "Variant")
    repeated = (
        Variant.objects.values(sku_lower=Lower("sku"))
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
        .values_list("sku_lower", flat=True)
    )
    groups = {}
    variants = Variant.objects.annotate(sku_lower=Lower("sku")).filter(
        sku_lower__in=list(repeated)
    )
    for pk, sku, sku_lower in variants.values_list("pk", "sku", "sku_lower"):
        groups.setdefault(sku_lower, []).append(f"'{sku}' (variant {pk})")
    if not groups:
        return

    listed = "; ".join(", ".join(group) for group in groups.values())
    raise CaseOnlyDuplicateSkus(
        "Variant SKUs must be unique ignoring letter case, but these variants "
        f"share a SKU: {listed}. Give each variant a SKU of its own, or "
        "delete the extra one, in the admin (Shop > Variants), then run "
        "migrate again. Nothing was changed."
    )


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0007_inventory_adds_products"),
    ]

    operations = [
        migrations.RunPython(check_case_only_duplicates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="historicalvariant",
            name="price",
            field=shop.money.MoneyField(
                help_text="Selling price in CAD, before tax.",
                validators=[shop.money.validate_not_negative],
            ),
        ),
        migrations.AlterField(
            model_name="variant",
            name="price",
            field=shop.money.MoneyField(
                help_text="Selling price in CAD, before tax.",
                validators=[shop.money.validate_not_negative],
            ),
        ),
        migrations.AddConstraint(
            model_name="variant",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("sku"),
                name="variant_sku_unique",
                violation_error_message=(
                    "Another variant has this SKU in other letter case, and SKUs "
                    "are matched ignoring case; choose another SKU."
                ),
            ),
        ),
    ]
