from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Pages of 50 rows by default. A client may request up to 500 with
    `page_size`."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
