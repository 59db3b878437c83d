from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories.shop import ProductFactory, VariantFactory


@pytest.mark.django_db
def test_product_admin_shows_price_range_to_the_cent(client, admin_user):
    product = ProductFactory(name="Chaz Kangeroo Hoodie")
    VariantFactory(product=product, price=Decimal("14.99"))
    VariantFactory(product=product, price=Decimal("32.50"))
    client.force_login(admin_user)

    response = client.get(reverse("admin:shop_product_changelist"))

    assert "$14.99–$32.50" in response.text
