"""Catalog pages: home, category listings, product pages and search."""

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from ..models import Category, Product, Variant
from ..selectors import (
    attach_availability,
    find_variant_by_code,
    get_product_for_page,
    list_products,
    search_products,
)
from ..text import strip_control_characters

HOME_PRODUCT_COUNT = 8
MAX_SEARCH_LENGTH = 200


def home(request: HttpRequest) -> HttpResponse:
    newest = list_products().order_by("-created_at")[:HOME_PRODUCT_COUNT]
    return render(request, "shop/home.html", {"products": attach_availability(newest)})


def category(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    page = _paginate(request, list_products(category=category))
    context = {
        "category": category,
        "ancestors": Category.objects.get_ancestors(category),
        "subcategories": Category.objects.get_children(category),
        "page": page,
    }
    return render(request, "shop/category.html", context)


def product(request: HttpRequest, slug: str) -> HttpResponse:
    product = get_product_for_page(slug)
    if product is None:
        raise Http404(f"No product is sold at {slug}.")

    prices = {variant.price for variant in product.active_variants}
    context = {
        "product": product,
        "ancestors": Category.objects.get_ancestors(product.category),
        "chosen": _chosen_variant(product, request.GET.get("variant")),
        "quantity": request.GET.get("quantity", "1")[:20],
        "price_from": min(prices, default=None),
        "price_varies": len(prices) > 1,
    }
    return render(request, "shop/product.html", context)


def search(request: HttpRequest) -> HttpResponse:
    text = strip_control_characters(request.GET.get("q", "")).strip()
    text = text[:MAX_SEARCH_LENGTH]
    variant = find_variant_by_code(text)
    if variant is not None:
        url = variant.product.get_absolute_url()
        return redirect(f"{url}?variant={variant.pk}")

    page = _paginate(request, search_products(text)) if text else None
    return render(request, "shop/search.html", {"query": text, "page": page})


def _paginate(request: HttpRequest, products: QuerySet[Product]) -> Page:
    paginator = Paginator(products, settings.SHOP_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = attach_availability(page.object_list)
    return page


def _chosen_variant(product: Product, requested: str | None) -> Variant | None:
    """Pick the variant asked for in the URL, else the first one in stock."""
    variants = product.active_variants
    for variant in variants:
        if requested == str(variant.pk):
            return variant
    in_stock = [v for v in variants if v.availability.is_available]
    return (in_stock or variants or [None])[0]
