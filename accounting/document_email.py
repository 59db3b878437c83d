"""Emailing an issued document (invoice, credit note) once, from a task.

Both documents record the email on themselves: emailed_at, the attempts,
the last error and a short claim that keeps two workers from sending at the
same time.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

logger = logging.getLogger(__name__)

# How long one worker may take to render and send before another may try
# again. Well above the SMTP timeout (EMAIL_TIMEOUT).
EMAIL_CLAIM_DURATION = timedelta(minutes=10)

Document = TypeVar("Document", bound=models.Model)


def email_document_once(
    model: type[Document],
    document_id: int,
    send: Callable[[Document], None],
    *,
    label: str,
    related: tuple[str, ...] = ("order",),
) -> bool:
    """Claim the document's email, send it with `send` and record the outcome.

    Returns False, sending nothing, when the document was emailed already or
    another worker has claimed it. A failure is counted on the document
    with its error, and raised again so the task retries. Sends at least
    once: if the worker dies between the SMTP send and the final update,
    the email goes out a second time.
    """
    if not claim_email(model, document_id):
        logger.info(
            "%s email skipped: already sent or being sent",
            label,
            extra={"model": model._meta.label, "document_id": document_id},
        )
        return False
    document = model._default_manager.select_related(*related).get(pk=document_id)
    documents = model._default_manager.filter(pk=document_id)

    try:
        send(document)
    except Exception as error:
        documents.update(
            email_attempts=F("email_attempts") + 1,
            last_email_error=f"{type(error).__name__}: {error}",
            email_claimed_until=None,
        )
        raise

    documents.update(
        emailed_at=timezone.now(),
        email_attempts=F("email_attempts") + 1,
        last_email_error="",
        email_claimed_until=None,
    )
    return True


def claim_email(model: type[models.Model], document_id: int) -> bool:
    """Claim an unsent document's email for this worker for a while."""
    now = timezone.now()
    unclaimed = Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lt=now)
    claimed = model._default_manager.filter(
        unclaimed, pk=document_id, emailed_at__isnull=True
    ).update(email_claimed_until=now + EMAIL_CLAIM_DURATION)
    return claimed == 1
