import pytest
from django.urls import reverse

from tests.factories.inventory import StockFactory
from tests.factories.shop import ProductFactory, VariantFactory

OUT_BUTTON = "disabled>Sold out</button>"
ADD_BUTTON = 'data-out-label="Sold out">Add to cart</button>'


def _variant(product, size, on_hand):
    variant = VariantFactory(product=product, size=size)
    StockFactory(variant=variant, quantity_on_hand=on_hand, backorderable=False)
    return variant


@pytest.mark.django_db
def test_only_variant_sold_out_disables_button(client):
    product = ProductFactory()
    _variant(product, "", 0)

    html = client.get(product.get_absolute_url()).content.decode()

    assert OUT_BUTTON in html
    assert ADD_BUTTON not in html


@pytest.mark.django_db
def test_chosen_variant_sold_out_disables_button(client):
    product = ProductFactory()
    _variant(product, "S", 4)
    large = _variant(product, "L", 0)

    response = client.get(product.get_absolute_url(), {"variant": large.pk})

    html = response.content.decode()
    assert OUT_BUTTON in html
    assert ADD_BUTTON not in html
    assert f'value="{large.pk}" checked' in html


@pytest.mark.django_db
def test_variant_in_stock_enables_button(client):
    product = ProductFactory()
    small = _variant(product, "S", 4)
    _variant(product, "L", 0)

    html = client.get(product.get_absolute_url()).content.decode()

    assert ADD_BUTTON in html
    assert OUT_BUTTON not in html
    assert f'value="{small.pk}" checked data-orderable="true"' in html


@pytest.mark.django_db
def test_sold_out_variant_marked_for_script(client):
    product = ProductFactory()
    _variant(product, "S", 4)
    large = _variant(product, "L", 0)

    html = client.get(reverse("shop:product", args=[product.slug])).content.decode()

    assert (
        f'value="{large.pk}" aria-describedby="variant-{large.pk}-availability" '
        'data-orderable="false"'
    ) in html
