from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories.shop import VariantFactory

from .variant_admin_setup import variant_change_data

pytestmark = pytest.mark.django_db


def test_variant_admin_rejects_negative_price(client, admin_user):
    variant = VariantFactory(sku="MS04-S-Red", price=Decimal("29.00"))
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:shop_variant_change", args=[variant.pk]),
        variant_change_data(variant, price="-5.50", size="S"),
    )

    form = response.context["adminform"].form
    assert form.errors["price"] == [
        "-$5.50 is negative; enter 0.00 or more, like 12.50."
    ]
    assert "__all__" not in form.errors
    assert form["size"].value() == "S"
    variant.refresh_from_db()
    assert variant.price == Decimal("29.00")
    assert variant.size == ""


def test_variant_admin_accepts_zero_price(client, admin_user):
    variant = VariantFactory(sku="MS04-S-Red", price=Decimal("29.00"))
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:shop_variant_change", args=[variant.pk]),
        variant_change_data(variant, price="0.00"),
    )

    assert response.status_code == 302
    variant.refresh_from_db()
    assert variant.price == Decimal("0.00")
