"""Outgoing email, every attempt recorded as an EmailLog row."""

import logging
from collections.abc import Iterable

from django.core.mail import EmailMultiAlternatives

from shop.models import EmailLog

logger = logging.getLogger(__name__)

# (filename, content, MIME type), as EmailMessage.attach() takes them.
Attachment = tuple[str, bytes, str]


def send_logged_email(
    *,
    to: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    attachments: Iterable[Attachment] = (),
    kind: str,
    reference: str,
) -> EmailLog:
    """Send one email through Django's email backend and log the outcome.

    Writes an EmailLog row marked sent, or marked failed with the error, in
    which case the error is raised again so a task can retry. Call outside
    a transaction that may roll back, or the failed row is lost with it.
    """
    message = EmailMultiAlternatives(subject=subject, body=text_body, to=[to])
    if html_body is not None:
        message.attach_alternative(html_body, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)

    log = EmailLog(to=to, subject=subject[:255], kind=kind, reference=reference)
    try:
        message.send()
    except Exception as error:
        # Any backend error counts: it is logged here and raised again.
        log.status = EmailLog.Status.FAILED
        log.error = f"{type(error).__name__}: {error}"
        log.save()
        logger.warning(
            "Email %s %s failed: %s",
            kind,
            reference,
            log.error,
            extra={"email_log_id": log.pk, "kind": kind, "reference": reference},
        )
        raise

    log.status = EmailLog.Status.SENT
    log.save()
    logger.info(
        "Email %s %s sent",
        kind,
        reference,
        extra={"email_log_id": log.pk, "kind": kind, "reference": reference},
    )
    return log
