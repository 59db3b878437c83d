"""Catalog reads for the storefront: listings, search and the product page.

Listings carry their price range and stock in the same query, so a page of
products costs the same number of queries whatever its size.
"""

from collections.abc import Iterable

from django.db.models import Count, F, Max, Min, Prefetch, Q, QuerySet, Sum

from inventory.selectors import availability_for, availability_from_quantity

from .models import Category, Product, Variant

MAX_SEARCH_WORDS = 10


def list_products(*, category: Category | None = None) -> QuerySet[Product]:
    """List active products that have an active variant, with price and stock.

    Given a category, the list covers it and all its descendants. Each
    product carries `price_from`, `price_to` (lowest and highest active
    variant price), `quantity_on_hand` (units of its active variants
    available to sell) and `backorderable_stock` (how many of their Stock
    rows take backorders).
    """
    active_variant = Q(variants__is_active=True)
    products = Product.objects.filter(is_active=True)
    if category is not None:
        # Materialized-path trees store each node's ancestors as the prefix
        # of its path, so descendants share the category's path prefix.
        products = products.filter(category__path__startswith=category.path)

    return (
        products.select_related("category")
        .annotate(
            price_from=Min("variants__price", filter=active_variant),
            price_to=Max("variants__price", filter=active_variant),
            # Units available to sell: on hand less what paid orders hold.
            quantity_on_hand=Sum(
                F("variants__stock_levels__quantity_on_hand")
                - F("variants__stock_levels__quantity_allocated"),
                filter=active_variant,
            ),
            backorderable_stock=Count(
                "variants__stock_levels",
                filter=active_variant & Q(variants__stock_levels__backorderable=True),
            ),
        )
        .filter(price_from__isnull=False)
        # Grouped queries ignore Meta.ordering, so order explicitly.
        .order_by("name", "id")
    )


def attach_availability(products: Iterable[Product]) -> list[Product]:
    """Set `availability` on each list_products() row without a query.

    A product with none available but a variant that takes backorders is
    labelled "On backorder" without a date: listings do not look up
    purchase orders, the product page does.
    """
    products = list(products)
    for product in products:
        # Both values are annotations that list_products() adds.
        on_hand = product.quantity_on_hand  # type: ignore[attr-defined]
        backorderable = product.backorderable_stock > 0  # type: ignore[attr-defined]
        product.availability = availability_from_quantity(
            on_hand, backorderable=backorderable
        )
    return products


def search_products(text: str) -> QuerySet[Product]:
    """List active products that match every word of `text`.

    A word matches when the product name, or an active variant's colour or
    SKU, contains it, or when it is an active variant's size, ignoring case:
    "hoodie black" finds black hoodies. A product or variant SKU (any case)
    or a barcode typed in full also matches. Only the first MAX_SEARCH_WORDS
    words count.
    """
    words = text.split()[:MAX_SEARCH_WORDS]
    if not words:
        return Product.objects.none()

    code = text.strip()
    word_matches = Q()
    for word in words:
        word_matches &= Q(name__icontains=word) | Q(pk__in=_variant_matches(word))
    # Subqueries, not a join on variants, so the price and stock sums still
    # cover every active variant of a matching product, and the search
    # stays one query.
    code_matches = Variant.objects.filter(Q(sku__iexact=code) | Q(barcode=code)).values(
        "product_id"
    )
    return list_products().filter(
        word_matches | Q(sku__iexact=code) | Q(pk__in=code_matches)
    )


def _variant_matches(word: str) -> QuerySet[Variant, int]:
    """Select the product ids of active variants whose options match `word`."""
    options = Q(colour__icontains=word) | Q(size__iexact=word) | Q(sku__icontains=word)
    active = Variant.objects.filter(options, is_active=True)
    return active.values_list("product_id", flat=True)


def find_variant_by_code(code: str) -> Variant | None:
    """Return the one active variant whose SKU (any case) or barcode is `code`.

    Return None when nothing matches or when the code is shared by several
    variants (a barcode printed on two items), so the caller lists them.
    """
    code = code.strip()
    if not code:
        return None

    matches = list(
        Variant.objects.filter(
            Q(sku__iexact=code) | Q(barcode=code),
            is_active=True,
            product__is_active=True,
        ).select_related("product")[:2]
    )
    return matches[0] if len(matches) == 1 else None


def get_product_for_page(slug: str) -> Product | None:
    """Return the active product `slug` with its active variants and stock.

    Runs three queries whatever the number of variants: the product with its
    category, its active variants, and their stock. The variants are in
    `product.active_variants`, each with an `availability`.
    """
    variants = Variant.objects.filter(is_active=True).order_by("id")
    product = (
        Product.objects.filter(slug=slug, is_active=True)
        .select_related("category")
        .prefetch_related(Prefetch("variants", queryset=variants))
        .first()
    )
    if product is None:
        return None

    active_variants = list(product.variants.all())
    availability = availability_for(variant.pk for variant in active_variants)
    for variant in active_variants:
        variant.availability = availability[variant.pk]
    product.active_variants = active_variants
    return product
