"""Queue Celery tasks once the surrounding transaction commits."""

import logging
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Exceptions a publish raises when the broker cannot be reached. kombu wraps
# the transport's connection errors in OperationalError once its publish
# retry policy (CELERY_TASK_PUBLISH_RETRY_POLICY) is used up. The Redis
# errors are listed in case one escapes that wrapping.
BROKER_ERRORS = (OperationalError, RedisConnectionError, RedisTimeoutError)


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Send `task` to the broker after the current transaction commits.

    Nothing is sent if the transaction rolls back. When the broker is down,
    the error is logged as a warning and not raised: the customer's request
    has already committed, and the rows it wrote record the work still owed,
    so a periodic sweep queues it later. Outside a transaction the task is
    sent at once.
    """
    transaction.on_commit(lambda: send_task(task, *args, **kwargs))


def send_task(task: Task, *args: Any, **kwargs: Any) -> bool:
    """Send `task` now and return whether the broker accepted it."""
    try:
        task.delay(*args, **kwargs)
    except BROKER_ERRORS as error:
        logger.warning(
            "Task %s not queued, broker unreachable: %s",
            task.name,
            error,
            extra={"task": task.name, "task_args": args, "task_kwargs": kwargs},
        )
        return False
    return True
