"""The chart of accounts and the journal, read-only, for other systems.

Journal entries never change once posted, so `updated_since` compares
`posted_at`: a correction arrives as a new entry that reverses the first.
"""

import django_filters
from django.db.models import Prefetch
from rest_framework import serializers, viewsets

from shop.api.filters import ApiDateTimeFilter, UpdatedSinceFilterSet

from .models import Account, JournalEntry, JournalLine


class AccountSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active")

    class Meta:
        model = Account
        fields = [
            "id",
            "code",
            "name",
            "type",
            "key",
            "province",
            "description",
            "active",
        ]


class JournalLineSerializer(serializers.ModelSerializer):
    account_code = serializers.CharField(source="account.code")
    account_name = serializers.CharField(source="account.name")

    class Meta:
        model = JournalLine
        fields = [
            "id",
            "account",
            "account_code",
            "account_name",
            "debit",
            "credit",
            "memo",
            "tax_code",
            "province",
        ]


class JournalEntrySerializer(serializers.ModelSerializer):
    lines = JournalLineSerializer(many=True)

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "event_key",
            "kind",
            "entry_date",
            "description",
            "posted_at",
            "reverses",
            "order",
            "invoice",
            "credit_note",
            "lines",
        ]


class AccountFilterSet(django_filters.FilterSet):
    active = django_filters.BooleanFilter(field_name="is_active")

    class Meta:
        model = Account
        fields = ["type", "active"]


class JournalEntryFilterSet(UpdatedSinceFilterSet):
    updated_since_fields = ("posted_at",)

    date_from = django_filters.DateFilter(
        field_name="entry_date", lookup_expr="gte", help_text="First business day."
    )
    date_to = django_filters.DateFilter(
        field_name="entry_date", lookup_expr="lte", help_text="Last business day."
    )
    posted_before = ApiDateTimeFilter(
        field_name="posted_at",
        lookup_expr="lt",
        help_text="Entries posted before this ISO 8601 time.",
    )
    account = django_filters.CharFilter(
        method="filter_account", help_text="Code of an account the entry touches."
    )

    class Meta:
        model = JournalEntry
        fields = ["kind", "date_from", "date_to", "updated_since", "account"]

    def filter_account(self, queryset, name, value):
        entries = JournalLine.objects.filter(account__code=value).values("entry_id")
        return queryset.filter(pk__in=entries)


class AccountViewSet(viewsets.ReadOnlyModelViewSet):
    """The chart of accounts."""

    serializer_class = AccountSerializer
    filterset_class = AccountFilterSet
    ordering_fields = ["code", "name"]
    ordering = ["code"]
    queryset = Account.objects.all()


class JournalEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Posted journal entries with their debit and credit lines."""

    serializer_class = JournalEntrySerializer
    filterset_class = JournalEntryFilterSet
    ordering_fields = ["id", "entry_date", "posted_at"]
    ordering = ["-entry_date", "-id"]
    queryset = JournalEntry.objects.prefetch_related(
        Prefetch(
            "lines",
            queryset=JournalLine.objects.select_related("account").order_by("id"),
        )
    )
