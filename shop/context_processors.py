from django.conf import settings
from django.http import HttpRequest

from .cart import count_units
from .models import Category


def storefront(request: HttpRequest) -> dict:
    """Add the shop name, top-level categories and cart size to each page."""
    return {
        "shop_name": settings.SHOP_NAME,
        "top_categories": Category.objects.get_root_nodes(),
        "cart_units": count_units(request),
    }
