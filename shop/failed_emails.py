"""Failed emails that staff still have to deal with."""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from .models import EmailLog

# NOTE: a failure older than this drops off the list even if it was never
# resent, because staff have no way to dismiss one and a bad address would
# otherwise stay listed forever. The length is a judgement, not a rule.
ATTENTION_DAYS = 7


def unresolved_failed_emails(*, now: datetime | None = None) -> QuerySet[EmailLog]:
    """Return the failed emails of the last ATTENTION_DAYS not sent since.

    An email counts when it failed and it is the last attempt of the same
    kind and reference to the same address. A later attempt that was sent
    resolves it, and a later one that failed takes its place, so each email
    still failing is listed once. The recipient is part of the match because
    a nightly report goes to several staff addresses under one reference.
    """
    since = (now or timezone.now()) - timedelta(days=ATTENTION_DAYS)
    later_attempt = EmailLog.objects.filter(
        kind=OuterRef("kind"),
        reference=OuterRef("reference"),
        to=OuterRef("to"),
        pk__gt=OuterRef("pk"),
    )
    return EmailLog.objects.filter(
        status=EmailLog.Status.FAILED, created_at__gte=since
    ).exclude(Exists(later_attempt))
