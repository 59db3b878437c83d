"""Products and variants with their availability, for staff devices and
other systems.

A variant's availability comes from inventory.selectors, the same numbers
the storefront shows, plus the units on hand and allocated summed over
locations. A page of products or variants costs the same number of
queries whatever its size.
"""

from collections.abc import Iterable

import django_filters
from django.db.models import Max, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.response import Response

from inventory.selectors import BACKORDER, IN_STOCK, LOW, SOLD_OUT, availability_for

from ..models import Category, Product, Variant
from ..selectors import MAX_SEARCH_WORDS
from .filters import SearchTextFilter, UpdatedSinceFilterSet
from .schema import BAD_REQUEST, ErrorSerializer

# A barcode shared by more variants than this is a data problem to fix,
# not a list to page through.
MAX_LOOKUP_MATCHES = 20


class AvailabilitySerializer(serializers.Serializer):
    """Units of a variant summed over locations, and what customers see."""

    quantity_on_hand = serializers.IntegerField()
    quantity_allocated = serializers.IntegerField(
        help_text="Units promised to paid orders, still on the shelf."
    )
    quantity_available = serializers.IntegerField(
        help_text="On hand less allocated, never below 0."
    )
    status = serializers.ChoiceField(
        choices=[IN_STOCK, LOW, BACKORDER, SOLD_OUT],
        help_text="`backorder`: none available but more can be ordered.",
    )
    label = serializers.CharField(help_text="The storefront's text.")
    backorderable = serializers.BooleanField()
    expected_ship_date = serializers.DateField(
        allow_null=True,
        help_text="When units beyond the available ones should ship; null "
        "when the variant takes no backorders.",
    )
    stock_updated_at = serializers.DateTimeField(
        allow_null=True, help_text="Last change of the variant's stock."
    )

    def to_representation(self, variant: Variant):
        availability = variant.availability
        return super().to_representation(
            {
                "quantity_on_hand": variant.quantity_on_hand,
                "quantity_allocated": variant.quantity_allocated,
                "quantity_available": availability.quantity,
                "status": availability.status,
                "label": availability.label,
                "backorderable": availability.backorderable,
                "expected_ship_date": availability.expected_ship_date,
                "stock_updated_at": variant.stock_updated_at,
            }
        )


class VariantSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active")
    product_sku = serializers.CharField(source="product.sku")
    availability = AvailabilitySerializer(source="*")

    class Meta:
        model = Variant
        fields = [
            "id",
            "product",
            "product_sku",
            "sku",
            "barcode",
            "size",
            "colour",
            "option_label",
            "price",
            "unit_cost",
            "weight_g",
            "length_cm",
            "width_cm",
            "height_cm",
            "active",
            "created_at",
            "updated_at",
            "availability",
        ]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class ProductSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active")
    category = CategorySerializer()
    variants = VariantSerializer(many=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "slug",
            "description",
            "category",
            "tax_class",
            "active",
            "created_at",
            "updated_at",
            "variants",
        ]


def variants_with_stock() -> QuerySet[Variant]:
    """Select variants with their units on hand and allocated, summed over
    locations, and the last change of their stock."""
    return Variant.objects.select_related("product").annotate(
        quantity_on_hand=Coalesce(Sum("stock_levels__quantity_on_hand"), 0),
        quantity_allocated=Coalesce(Sum("stock_levels__quantity_allocated"), 0),
        stock_updated_at=Max("stock_levels__updated_at"),
    )


def attach_availability(variants: Iterable[Variant]) -> None:
    """Set `availability` on each variant, in one query."""
    variants = list(variants)
    availability = availability_for(variant.pk for variant in variants)
    for variant in variants:
        variant.availability = availability[variant.pk]


class CategoryFilter(django_filters.ModelChoiceFilter):
    """A category by slug; its subcategories' products match too."""

    def filter(self, queryset, value):
        if value is None:
            return queryset
        prefix = self.field_name.removesuffix("category")
        # Materialized-path trees store each node's ancestors as the prefix
        # of its path, so descendants share the category's path prefix.
        return queryset.filter(**{f"{prefix}category__path__startswith": value.path})


def category_filter(field_name: str) -> CategoryFilter:
    return CategoryFilter(
        field_name=field_name,
        queryset=Category.objects.all(),
        to_field_name="slug",
        help_text="Category slug; products of its subcategories match too.",
        error_messages={
            "invalid_choice": "No category has the slug %(value)s; use a slug "
            "from the catalog's categories."
        },
    )


def search_condition(text: str, *, product_prefix: str, variant_ids) -> Q:
    """Match every word of `text` against names and SKUs, or the whole text
    against a barcode.

    A word matches when the product name or SKU or one of the variant SKUs
    contains it, ignoring case. Only the first MAX_SEARCH_WORDS words count.
    """
    condition = Q()
    for word in text.split()[:MAX_SEARCH_WORDS]:
        condition &= (
            Q(**{f"{product_prefix}name__icontains": word})
            | Q(**{f"{product_prefix}sku__icontains": word})
            | Q(pk__in=variant_ids(Q(sku__icontains=word)))
        )
    return condition | Q(pk__in=variant_ids(Q(barcode=text.strip())))


class ProductFilterSet(UpdatedSinceFilterSet):
    updated_since_fields = (
        "updated_at",
        "variants__updated_at",
        "variants__stock_levels__updated_at",
    )

    category = category_filter("category")
    active = django_filters.BooleanFilter(field_name="is_active")
    sku = django_filters.CharFilter(
        field_name="sku", lookup_expr="iexact", help_text="Product SKU, any case."
    )
    q = SearchTextFilter(
        method="filter_q",
        help_text="Words that must each appear in the product name or SKU or a "
        "variant SKU; or a full barcode.",
    )

    class Meta:
        model = Product
        fields = ["category", "active", "sku", "updated_since", "q"]

    def filter_q(self, queryset, name, value):
        def product_ids(condition):
            return Variant.objects.filter(condition).values("product_id")

        return queryset.filter(
            search_condition(value, product_prefix="", variant_ids=product_ids)
        )


class VariantFilterSet(UpdatedSinceFilterSet):
    updated_since_fields = (
        "updated_at",
        "product__updated_at",
        "stock_levels__updated_at",
    )

    category = category_filter("product__category")
    active = django_filters.BooleanFilter(field_name="is_active")
    product = django_filters.NumberFilter(field_name="product_id")
    sku = django_filters.CharFilter(
        field_name="sku", lookup_expr="iexact", help_text="Variant SKU, any case."
    )
    barcode = django_filters.CharFilter(field_name="barcode")
    q = SearchTextFilter(
        method="filter_q",
        help_text="Words that must each appear in the product name or SKU or the "
        "variant SKU; or a full barcode.",
    )

    class Meta:
        model = Variant
        fields = ["category", "active", "product", "sku", "barcode", "q"]

    def filter_q(self, queryset, name, value):
        def variant_ids(condition):
            return Variant.objects.filter(condition).values("pk")

        return queryset.filter(
            search_condition(value, product_prefix="product__", variant_ids=variant_ids)
        )


class AvailabilityMixin:
    """Attach availability to the variants of each page or object served."""

    def variants_of(self, objects: list) -> Iterable[Variant]:
        return objects

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        attach_availability(self.variants_of(page if page is not None else []))
        return page

    def get_object(self):
        obj = super().get_object()
        attach_availability(self.variants_of([obj]))
        return obj


class ProductViewSet(AvailabilityMixin, viewsets.ReadOnlyModelViewSet):
    """Products with all their variants, active or not, and availability."""

    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    ordering_fields = ["id", "name", "sku", "updated_at"]
    ordering = ["id"]
    queryset = Product.objects.select_related("category").prefetch_related(
        Prefetch("variants", queryset=variants_with_stock().order_by("id"))
    )

    def variants_of(self, objects):
        return [variant for product in objects for variant in product.variants.all()]


class VariantViewSet(AvailabilityMixin, viewsets.ReadOnlyModelViewSet):
    """Variants with availability, found by id, SKU or barcode."""

    serializer_class = VariantSerializer
    filterset_class = VariantFilterSet
    ordering_fields = ["id", "sku", "updated_at"]
    ordering = ["id"]
    queryset = variants_with_stock()

    @extend_schema(
        summary="Find a variant by SKU or barcode",
        parameters=[
            OpenApiParameter(
                "code",
                required=True,
                description="A SKU (any case) or a full barcode, as scanned.",
            )
        ],
        responses={
            200: VariantSerializer,
            400: BAD_REQUEST,
            404: OpenApiResponse(ErrorSerializer, "No variant has this code."),
            409: OpenApiResponse(
                ErrorSerializer, "The barcode is on several variants."
            ),
        },
    )
    @action(detail=False, filterset_class=None, pagination_class=None)
    def lookup(self, request):
        code = request.query_params.get("code", "").strip()
        if not code:
            raise ValidationError(
                {"code": ["The code is missing; send a SKU or barcode as `code`."]}
            )
        # PostgreSQL rejects a NUL character in a query parameter.
        if "\x00" in code:
            raise ValidationError({"code": ["The code contains a NUL character."]})

        variant = self._find_by_code(code)
        attach_availability([variant])
        return Response(self.get_serializer(variant).data)

    def _find_by_code(self, code: str) -> Variant:
        matches = list(
            self.get_queryset().filter(Q(sku__iexact=code) | Q(barcode=code))[
                :MAX_LOOKUP_MATCHES
            ]
        )
        if not matches:
            raise NotFound(f"No variant has the SKU or barcode {code!r}.")

        # A SKU names one variant, so it wins over a barcode that is also
        # on other variants. Case breaks a tie between SKUs.
        by_sku = [variant for variant in matches if variant.sku.lower() == code.lower()]
        by_exact_sku = [variant for variant in by_sku if variant.sku == code]
        for candidates in (by_exact_sku, by_sku, matches):
            if len(candidates) == 1:
                return candidates[0]
        skus = ", ".join(variant.sku for variant in matches)
        raise CodeConflict(
            f"The code {code!r} is on several variants ({skus}); look one up "
            "by its SKU instead."
        )


class CodeConflict(APIException):
    status_code = 409
    default_detail = "The code is on several variants."
    default_code = "conflict"
