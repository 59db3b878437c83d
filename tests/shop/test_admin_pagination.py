import pytest
from django.core.paginator import Paginator

from orders.models import Order
from shop.admin_pagination import DeferredJoinPaginator
from tests.factories.orders import OrderFactory


@pytest.fixture
def orders(db):
    return OrderFactory.create_batch(7)


def numbers(page) -> list[int]:
    return [order.number for order in page.object_list]


def test_deferred_page_matches_plain_slice(orders):
    queryset = Order.objects.select_related("customer").order_by("-number")

    deferred = DeferredJoinPaginator(queryset, 3).page(2)
    plain = Paginator(queryset, 3).page(2)

    assert numbers(deferred) == numbers(plain)
    assert len(numbers(deferred)) == 3


def test_deferred_last_page_partial(orders):
    queryset = Order.objects.order_by("number")

    page = DeferredJoinPaginator(queryset, 3).page(3)

    assert numbers(page) == [orders[6].number]


def test_deferred_page_loads_keys_first(orders, django_assert_num_queries):
    queryset = Order.objects.select_related("customer").order_by("-number")
    page = DeferredJoinPaginator(queryset, 3).page(1)

    with django_assert_num_queries(1):
        emails = [order.customer.email for order in page.object_list]

    assert len(emails) == 3


def test_distinct_queryset_sliced_as_usual(orders, django_assert_num_queries):
    queryset = Order.objects.order_by("-number").distinct()

    with django_assert_num_queries(1):
        page = DeferredJoinPaginator(queryset, 3).page(1)

    assert len(numbers(page)) == 3
