"""Variant SKUs, unique regardless of letter case.

Scanners, the API and the counter look a SKU up ignoring case, so
"ms04-s-red" and "MS04-S-Red" would be one code for two variants. The
database enforces this with a unique index on lower(sku), and the forms
and imports check first so that staff see which SKU they collide with.
"""

from django.db.models import Value
from django.db.models.functions import Lower

from .models import Variant


def find_variant_with_sku(sku: str, *, exclude_pk: int | None = None):
    """Return the variant whose SKU equals `sku` ignoring case, or None.

    Compares with the database's lower(), as the unique index does.
    """
    variants = Variant.objects.alias(sku_lower=Lower("sku")).filter(
        sku_lower=Lower(Value(sku))
    )
    if exclude_pk is not None:
        variants = variants.exclude(pk=exclude_pk)
    return variants.only("sku").first()
