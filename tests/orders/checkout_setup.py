"""Carts for checkout tests: a $52.00 hoodie in stock, in a cart."""

from decimal import Decimal

from shop.models import Cart, CartLine
from tests.factories.inventory import StockFactory
from tests.factories.shop import VariantFactory


def hoodie(*, stock=10, backorderable=False, **fields):
    """Create a $52.00 Chaz Kangeroo Hoodie M / Black with `stock` on hand.

    Its stock takes no backorders unless `backorderable` is true.
    """
    variant = VariantFactory(
        **{
            "sku": "MH01-M-Black",
            "product__name": "Chaz Kangeroo Hoodie",
            "size": "M",
            "colour": "Black",
            "price": Decimal("52.00"),
            "weight_g": 600,
            "length_cm": Decimal("30.0"),
            "width_cm": Decimal("25.0"),
            "height_cm": Decimal("4.0"),
            **fields,
        }
    )
    StockFactory(variant=variant, quantity_on_hand=stock, backorderable=backorderable)
    return variant


def cart_with(*lines, user=None):
    """Create a cart holding (variant, quantity) pairs."""
    cart = Cart.objects.create(user=user)
    for variant, quantity in lines:
        CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
    return cart
