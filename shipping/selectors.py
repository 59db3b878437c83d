"""Reads of the carrier call log for the back office."""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from .models import CarrierCall

# NOTE: a failure older than this drops off the list even if the operation
# was never tried again, so an abandoned label purchase does not stay
# listed forever. The length is a judgement, not a rule.
ATTENTION_DAYS = 7


def unresolved_failed_calls(*, now: datetime | None = None) -> QuerySet[CarrierCall]:
    """Return the failed carrier calls of the last ATTENTION_DAYS not retried.

    A call counts when it failed and it is the last call of the same
    carrier, operation and reference (shipment number, or blank for rate
    quotes at checkout). A failed attempt that a retry got through is
    therefore not listed, and an operation failing again and again is
    listed once, by its latest call.
    """
    since = (now or timezone.now()) - timedelta(days=ATTENTION_DAYS)
    later_call = CarrierCall.objects.filter(
        carrier=OuterRef("carrier"),
        operation=OuterRef("operation"),
        reference=OuterRef("reference"),
        pk__gt=OuterRef("pk"),
    )
    return CarrierCall.objects.filter(succeeded=False, created_at__gte=since).exclude(
        Exists(later_call)
    )
