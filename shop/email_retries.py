"""Retrying a Celery task that sends email, shared by every email task."""

import logging
import smtplib
from collections.abc import Callable
from typing import Any

from celery import Task
from celery.utils.time import get_exponential_backoff_interval

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
# Retry n (from 0) waits a random time of up to 30 * 2**n seconds (full
# jitter), so at most 30, 60, 120, 240 and 480 seconds.
RETRY_BACKOFF = 30
RETRY_BACKOFF_MAX = 900


def is_permanent_smtp_error(error: OSError) -> bool:
    """Tell whether the SMTP server rejected the message for good (5xx)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def send_or_retry(
    task: Task, send: Callable[[], bool], *, document: str, ids: dict[str, Any]
) -> bool:
    """Run `send` for a bound task and retry it on transient mail errors.

    Network errors and "try later" (4xx) SMTP replies raise the task's
    Retry with exponential backoff. A permanent rejection (5xx) is logged
    and returns False without a retry. `document` names what is sent in
    the log ("Invoice"); `ids` go into the log records' extra.
    """
    try:
        return send()
    except OSError as error:  # smtplib.SMTPException is an OSError too.
        if is_permanent_smtp_error(error):
            logger.error(
                "%s email rejected by the mail server: %s",
                document,
                error,
                extra=ids,
            )
            return False
        countdown = get_exponential_backoff_interval(
            factor=RETRY_BACKOFF,
            retries=task.request.retries,
            maximum=RETRY_BACKOFF_MAX,
            full_jitter=True,
        )
        logger.warning(
            "%s email failed, retry %s of %s in %s s: %s",
            document,
            task.request.retries + 1,
            MAX_RETRIES,
            countdown,
            error,
            extra=ids,
        )
        raise task.retry(exc=error, countdown=countdown) from error
