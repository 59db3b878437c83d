import pytest
from django.urls import reverse

from orders.models import Order, Payment
from tests.changelist_queries import PAGE_SIZES, set_page_size
from tests.factories.orders import OrderFactory, OrderLineFactory
from tests.factories.shop import CustomerFactory, VariantFactory

URL = reverse("admin:orders_order_changelist")
FULL_PAGE = None

# (query string, rows expected on the page: FULL_PAGE or a number)
CASES = [
    ("", FULL_PAGE),
    ("?q=Tremblay", FULL_PAGE),
    ("?q=MUG-BLUE", FULL_PAGE),
    ("?q=900001", 1),
    ("?q=Lea.Gagnon@Example.com", 1),
    ("?status__exact=paid", FULL_PAGE),
    ("?backorder=waiting", 0),
]


def create_orders(count: int) -> None:
    """Create paid orders of two lines each, with a payment.

    The first is number 900001 for lea.gagnon@example.com; every order has
    a line of SKU MUG-BLUE and is shipped to Avery Tremblay.
    """
    variant = VariantFactory(sku="MUG-BLUE")
    customer = CustomerFactory(email="lea.gagnon@example.com")
    for index in range(count):
        order = OrderFactory(
            paid=True,
            ship_name="Avery Tremblay",
            **({"number": 900001, "customer": customer} if index == 0 else {}),
        )
        OrderLineFactory.create_batch(2, order=order, variant=variant)
        Payment.objects.create(
            order=order,
            amount=order.total_amount,
            status=Payment.Status.SUCCEEDED,
            stripe_payment_intent_id=f"pi_{index}",
        )


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "per_page"), PAGE_SIZES)
@pytest.mark.parametrize(("query", "expected_rows"), CASES)
def test_order_changelist_queries_fixed(
    admin_client,
    django_assert_num_queries,
    monkeypatch,
    rows,
    per_page,
    query,
    expected_rows,
):
    create_orders(rows)
    set_page_size(monkeypatch, Order, per_page)

    with django_assert_num_queries(5):
        response = admin_client.get(URL + query)

    assert response.status_code == 200
    shown = len(response.context["cl"].result_list)
    assert shown == (per_page if expected_rows is FULL_PAGE else expected_rows)
