from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction

from accounting.models import Invoice
from accounting.services import issue_invoice
from tests.factories.orders import OrderFactory

from .conftest import PAID_AT, make_paid_order

pytestmark = pytest.mark.django_db


def test_issue_invoice_copies_order_amounts(paid_order, issue):
    invoice = issue(paid_order)

    assert invoice.order == paid_order
    assert invoice.subtotal_amount == Decimal("56.00")
    assert invoice.shipping_amount == Decimal("12.00")
    assert invoice.tax_amount == Decimal("9.52")
    assert invoice.total_amount == Decimal("77.52")
    assert invoice.paid_at == PAID_AT


def test_issue_invoice_numbers_sequential(issue):
    orders = [make_paid_order() for _ in range(4)]

    numbers = [issue(order).number for order in orders]

    assert numbers == [1, 2, 3, 4]


def test_issue_invoice_twice_gives_one(paid_order, issue):
    first = issue(paid_order)

    second = issue(paid_order)

    assert second.pk == first.pk
    assert second.number == 1
    assert Invoice.objects.count() == 1
    assert len(mail.outbox) == 1


def test_issue_invoice_queues_email_on_commit(
    paid_order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        issue_invoice(order=paid_order)
        sent_before_commit = len(mail.outbox)

    assert sent_before_commit == 0
    assert len(callbacks) == 1
    assert len(mail.outbox) == 0


def test_issue_invoice_rolled_back_sends_nothing(
    paid_order, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError, match="payment failed"),
        transaction.atomic(),
    ):
        issue_invoice(order=paid_order)
        raise RuntimeError("payment failed")

    assert callbacks == []
    assert Invoice.objects.count() == 0
    assert len(mail.outbox) == 0


@pytest.mark.django_db(transaction=True)
def test_issue_invoice_outside_transaction_raises(paid_order):
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        issue_invoice(order=paid_order)

    assert Invoice.objects.count() == 0


def test_issue_invoice_unpaid_order_raises():
    order = OrderFactory(number=100500)

    with (
        pytest.raises(ValueError, match="Order 100500 is not paid"),
        transaction.atomic(),
    ):
        issue_invoice(order=order)

    assert Invoice.objects.count() == 0
