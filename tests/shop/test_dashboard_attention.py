from datetime import timedelta

import pytest
from django.utils import timezone

from shipping.models import CarrierCall
from shipping.selectors import unresolved_failed_calls
from shop.failed_emails import unresolved_failed_emails
from shop.models import EmailLog
from tests.shop.dashboard_setup import carrier_call, email_log

pytestmark = pytest.mark.django_db

FAILED = EmailLog.Status.FAILED
SENT = EmailLog.Status.SENT


def test_failed_email_resolved_by_later_send():
    email_log(FAILED)
    email_log(SENT)

    assert list(unresolved_failed_emails()) == []


def test_email_failing_twice_listed_once():
    email_log(FAILED)
    latest = email_log(FAILED)

    assert list(unresolved_failed_emails()) == [latest]


def test_email_sent_before_failure_resolves_nothing():
    email_log(SENT)
    failed = email_log(FAILED)

    assert list(unresolved_failed_emails()) == [failed]


def test_send_to_other_address_resolves_nothing():
    failed = email_log(FAILED, to="staff1@example.com", kind="backorder_report")
    email_log(SENT, to="staff2@example.com", kind="backorder_report")

    assert list(unresolved_failed_emails()) == [failed]


def test_send_of_other_kind_resolves_nothing():
    failed = email_log(FAILED, kind="invoice")
    email_log(SENT, kind="shipment_tracking")

    assert list(unresolved_failed_emails()) == [failed]


def test_failed_email_older_than_week_dropped():
    old = email_log(FAILED)
    EmailLog.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=7, minutes=1)
    )
    recent = email_log(FAILED, reference="1002")

    assert list(unresolved_failed_emails()) == [recent]


def test_carrier_call_retried_successfully_dropped():
    carrier_call(succeeded=False)
    carrier_call(succeeded=True)

    assert list(unresolved_failed_calls()) == []


def test_carrier_call_failing_again_listed_once():
    carrier_call(succeeded=False)
    latest = carrier_call(succeeded=False)

    assert list(unresolved_failed_calls()) == [latest]


def test_success_on_other_shipment_resolves_nothing():
    failed = carrier_call(succeeded=False, reference="100001-1")
    carrier_call(succeeded=True, reference="100002-1")

    assert list(unresolved_failed_calls()) == [failed]


def test_success_of_other_operation_resolves_nothing():
    failed = carrier_call(succeeded=False, operation="create_shipment")
    carrier_call(succeeded=True, operation="get_rates")

    assert list(unresolved_failed_calls()) == [failed]


def test_failed_call_older_than_week_dropped():
    old = carrier_call(succeeded=False)
    CarrierCall.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=7, minutes=1)
    )

    assert list(unresolved_failed_calls()) == []
