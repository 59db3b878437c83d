"""Celery tasks of the shop app; thin adapters over shop.jobs."""

import logging

from celery import shared_task

from shop import job_sweeps, jobs
from shop.queueing import send_task

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    soft_time_limit=int(jobs.SOFT_TIME_LIMIT.total_seconds()),
    time_limit=int(jobs.TIME_LIMIT.total_seconds()),
)
def run_staff_job(job_id: int) -> str | None:
    """Run one staff job and return its final status.

    Safe to run twice: a job runs only from QUEUED, so a second task
    returns None and changes nothing.
    """
    job = jobs.run_job(job_id=job_id)
    return job.status if job is not None else None


@shared_task(acks_late=True)
def sweep_staff_jobs() -> dict[str, int]:
    """Queue stale QUEUED jobs again and fail jobs whose worker died.

    Runs every five minutes from beat. Returns how many jobs were sent to
    the broker and how many were marked FAILED.
    """
    queued = sum(
        send_task(run_staff_job, job_id) for job_id in job_sweeps.stale_queued_job_ids()
    )
    failed = len(job_sweeps.fail_abandoned_jobs())
    if queued or failed:
        logger.info(
            "Staff job sweep: %s queued again, %s failed as abandoned",
            queued,
            failed,
        )
    return {"queued": queued, "failed": failed}
