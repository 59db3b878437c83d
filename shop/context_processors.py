from django.conf import settings
from django.http import HttpRequest

from .models import Category


def storefront(request: HttpRequest) -> dict:
    """Add the shop's name and the top-level categories to every page."""
    return {
        "shop_name": settings.SHOP_NAME,
        "top_categories": Category.get_root_nodes(),
    }
