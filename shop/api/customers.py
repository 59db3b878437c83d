"""Customer lookup for staff devices and other systems."""

import django_filters
from django.db.models import F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Concat, Replace, Upper
from rest_framework import serializers, viewsets

from orders.counter_customers import WALK_IN_EMAIL
from orders.lookup import digits_of, find_orders, phone_digits, postal_code_of
from orders.models import Order

from ..models import Address, Customer
from .filters import SearchTextFilter, UpdatedSinceFilterSet


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = [
            "id",
            "name",
            "company",
            "line1",
            "line2",
            "city",
            "province",
            "postal_code",
            "phone",
        ]


class CustomerSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    addresses = AddressSerializer(many=True)
    order_numbers = serializers.SerializerMethodField(
        help_text="Numbers of the customer's orders, newest first."
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "full_name",
            "phone",
            "marketing_consent",
            "marketing_consent_at",
            "marketing_consent_source",
            "created_at",
            "updated_at",
            "addresses",
            "order_numbers",
        ]

    def get_order_numbers(self, customer: Customer) -> list[int]:
        return [order.number for order in customer.orders.all()]


def search_customers(customers: QuerySet[Customer], query: str) -> QuerySet[Customer]:
    """Keep the customers a free-text customer service query points to.

    The query matches part of the email or full name (any case), the
    customer's or an address's phone number (digits only, as
    orders.lookup reads them), or an address's postal code (with or
    without its space). A customer also matches when one of their orders
    does in orders.lookup.find_orders, which adds order numbers, ship-to
    names, phones and postal codes, and tracking numbers.
    """
    query = " ".join(query.split())
    if not query:
        return customers.none()

    # The walk-in record's name ("Walk-in customer") would match words such
    # as "Tom", so a name match leaves that record out.
    name_matches = Q(search_name__icontains=query) & ~Q(email=WALK_IN_EMAIL)
    condition = (
        Q(email__icontains=query)
        | name_matches
        | Q(pk__in=find_orders(query).values("customer_id"))
    )
    digits = phone_digits(query)
    if digits:
        condition |= Q(search_phone__endswith=digits)
        addresses = Address.objects.annotate(search_phone=digits_of("phone"))
        condition |= Q(
            pk__in=addresses.filter(search_phone__endswith=digits).values("customer_id")
        )
    postal_code = postal_code_of(query)
    if postal_code:
        addresses = Address.objects.annotate(
            search_postal_code=Upper(Replace(F("postal_code"), Value(" ")))
        )
        condition |= Q(
            pk__in=addresses.filter(search_postal_code=postal_code).values(
                "customer_id"
            )
        )

    return customers.annotate(
        search_name=Concat(F("first_name"), Value(" "), F("last_name")),
        search_phone=digits_of("phone"),
    ).filter(condition)


class CustomerFilterSet(UpdatedSinceFilterSet):
    updated_since_fields = ("updated_at", "addresses__updated_at")

    q = SearchTextFilter(
        method="filter_q",
        help_text="Email, name, phone number, postal code, order number or "
        "tracking number, as a customer would quote it.",
    )
    email = django_filters.CharFilter(
        field_name="email", lookup_expr="iexact", help_text="Whole email, any case."
    )

    class Meta:
        model = Customer
        fields = ["q", "email", "updated_since"]

    def filter_q(self, queryset, name, value):
        return search_customers(queryset, value)


class CustomerViewSet(viewsets.ReadOnlyModelViewSet):
    """Customers with their addresses, marketing consent and order numbers.

    `updated_since` follows the customer's own fields only: addresses have
    no change time of their own.
    """

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    ordering_fields = ["id", "email", "created_at", "updated_at"]
    ordering = ["id"]
    queryset = Customer.objects.prefetch_related(
        Prefetch("addresses", queryset=Address.objects.order_by("id")),
        Prefetch("orders", queryset=Order.objects.only("id", "customer_id", "number")),
    )
