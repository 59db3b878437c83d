"""A change list paginator that keeps deep pages cheap (a "deferred join").

To show page N the database must walk past every row of the pages before
it. With joins (list_select_related) or per-row subqueries in the select
list, PostgreSQL computes them for each skipped row too: page 500 of the
journal ran its debit total 50,000 times. This paginator first reads only
the primary keys of the page, then loads those rows in full, so the
joins and subqueries run for the page's rows alone. It costs one more
query per page.
"""

from django.core.paginator import Page, Paginator


class DeferredJoinPaginator(Paginator):
    """Load a page's keys first, then its rows in full by key."""

    def page(self, number) -> Page:
        page = super().page(number)
        queryset = self.object_list
        # SELECT DISTINCT needs its ORDER BY columns in the select list, so
        # reading the keys alone would change the query. Such a queryset is
        # sliced as usual.
        if not hasattr(queryset, "query") or queryset.query.distinct:
            return page
        keys = list(page.object_list.values_list("pk", flat=True))
        # The same queryset keeps its ordering, so the rows come back in
        # page order.
        page.object_list = queryset.filter(pk__in=keys)
        return page
