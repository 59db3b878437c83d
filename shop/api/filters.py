import django_filters


class UpdatedSinceFilterSet(django_filters.FilterSet):
    """Base filter set for incremental sync: `updated_since` returns the
    rows changed at or after an ISO 8601 time, compared with `updated_at`."""

    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="ISO 8601 time with an offset, e.g. 2026-12-01T00:00:00Z.",
    )
