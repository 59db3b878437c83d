"""Building blocks shared by every app's REST API views."""

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django_filters.fields import IsoDateTimeField

TIME_EXAMPLE = "2026-12-01T09:30:00Z"


class ApiDateTimeField(IsoDateTimeField):
    """An ISO 8601 time whose error message names the rejected value."""

    def to_python(self, value):
        try:
            parsed = super().to_python(value)
            # PostgreSQL rejects offsets beyond 15:59 that Python accepts,
            # so the query gets UTC. A time near year 1 or 9999 may not
            # convert.
            if parsed is not None:
                parsed = parsed.astimezone(UTC)
        except (ValidationError, OverflowError):
            raise ValidationError(
                f"{value!r} is not an ISO 8601 time; send one with an offset, "
                f"such as {TIME_EXAMPLE}.",
                code="invalid",
            ) from None
        return parsed


class ApiDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = ApiDateTimeField


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
