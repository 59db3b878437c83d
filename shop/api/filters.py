"""Building blocks shared by every app's REST API views."""

from datetime import UTC

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django_filters.fields import IsoDateTimeField
from rest_framework import filters, serializers

from ..text import strip_control_characters

TIME_EXAMPLE = "2026-12-01T09:30:00Z"


class ApiDateTimeField(IsoDateTimeField):
    """An ISO 8601 time whose error message names the rejected value."""

    def to_python(self, value):
        try:
            parsed = super().to_python(value)
        except ValidationError:
            raise ValidationError(
                f"{value!r} is not an ISO 8601 time; send one with an offset, "
                f"such as {TIME_EXAMPLE}.",
                code="invalid",
            ) from None
        if parsed is None:
            return None

        # PostgreSQL rejects offsets beyond 15:59 that Python accepts, so
        # the query gets UTC. Python's datetime stops at years 1 and 9999,
        # so a time at either end may have no UTC equivalent.
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            edge = "after year 9999" if parsed.year == 9999 else "before year 1"
            raise ValidationError(
                f"{value!r} is out of range because in UTC it falls {edge}; "
                "send a time from 0001-01-02 to 9999-12-30.",
                code="out_of_range",
            ) from None


class ApiDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = ApiDateTimeField


class SearchTextField(forms.CharField):
    """Free search text, with control characters dropped as on the storefront.

    PostgreSQL rejects a NUL in a query parameter, and the other control
    characters only arrive by mistake.
    """

    def to_python(self, value):
        return strip_control_characters(super().to_python(value)).strip()


class SearchTextFilter(django_filters.CharFilter):
    field_class = SearchTextField


class StrictOrderingFilter(filters.OrderingFilter):
    """DRF's ordering filter, with 400 for a field it cannot sort by.

    DRF drops unknown fields silently, so a misspelt `ordering` would
    return the default order with no error.
    """

    def remove_invalid_fields(self, queryset, fields, view, request):
        context = {"request": request}
        valid = [name for name, _ in self.get_valid_fields(queryset, view, context)]
        terms = [term for term in fields if term]
        invalid = [term for term in terms if term.removeprefix("-") not in valid]
        if invalid:
            raise serializers.ValidationError(
                {
                    self.ordering_param: [
                        f"Cannot sort by {', '.join(map(repr, invalid))}; use one "
                        f"of {', '.join(valid)}, with a leading - to reverse."
                    ]
                }
            )
        return terms

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", None)
        if isinstance(fields, list | tuple):
            names = ", ".join(f if isinstance(f, str) else f[0] for f in fields)
            parameters[0]["description"] = (
                f"Fields to sort by, separated by commas, each with a leading - "
                f"to reverse: {names}. Any other field is rejected with 400."
            )
        return parameters


class UpdatedSinceFilterSet(django_filters.FilterSet):
    """Base filter set for incremental sync.

    `updated_since` keeps the rows with any of `updated_since_fields` at or
    after the given time (`>=`). The fields are lookups from the model, so
    a change to a related row ("stock_levels__updated_at") counts as a
    change of the row itself. A time without an offset is read in the
    shop's time zone.
    """

    updated_since_fields: tuple[str, ...] = ("updated_at",)

    updated_since = ApiDateTimeFilter(
        method="filter_updated_since",
        help_text=(
            "Only rows changed at or after this ISO 8601 time, such as "
            f"{TIME_EXAMPLE}. Start each sync a few minutes before the "
            "previous one started, because of clock skew and transactions "
            "that commit late."
        ),
    )

    def filter_updated_since(self, queryset: QuerySet, name: str, value) -> QuerySet:
        model = queryset.model
        changed = Q()
        for field in self.updated_since_fields:
            if "__" in field:
                # A join to many related rows would repeat the row once per
                # match, so related fields are matched in a subquery.
                related = model._default_manager.filter(**{f"{field}__gte": value})
                changed |= Q(pk__in=related.values("pk"))
            else:
                changed |= Q(**{f"{field}__gte": value})
        return queryset.filter(changed)
