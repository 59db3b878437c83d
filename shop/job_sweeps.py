"""Sweeps for staff jobs that a down broker or a dead worker left behind.

start_job queues its task when the transaction commits. When the broker
is down at that moment the task is lost, but the job stays QUEUED, so
shop.tasks.sweep_staff_jobs queues it again. A worker that dies mid-job
leaves it RUNNING. Celery's time limit stops any live job after
jobs.TIME_LIMIT, so a job RUNNING well past it has no worker left, and
the sweep marks it FAILED.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from shop.jobs import TIME_LIMIT, email_requester, fail_job
from shop.models import StaffJob

# Jobs queued less than this long ago are left alone: their task is most
# likely still in the queue.
QUEUED_GRACE = timedelta(minutes=2)
# A RUNNING job started longer ago than this has outlived Celery's time
# limit, so its worker died.
RUNNING_DEADLINE = TIME_LIMIT + timedelta(minutes=10)
SWEEP_BATCH_SIZE = 100

# TODO: nothing deletes old jobs or their files in MEDIA_ROOT/staff-jobs/.


def stale_queued_job_ids(
    *, now: datetime | None = None, limit: int = SWEEP_BATCH_SIZE
) -> list[int]:
    """Return ids of jobs QUEUED longer than QUEUED_GRACE, oldest first.

    A job whose first task is merely late is harmless to queue again:
    only one task can claim it.
    """
    cutoff = (now or timezone.now()) - QUEUED_GRACE
    jobs = StaffJob.objects.filter(
        status=StaffJob.Status.QUEUED, created_at__lt=cutoff
    ).order_by("created_at", "pk")
    return list(jobs.values_list("pk", flat=True)[:limit])


def fail_abandoned_jobs(*, now: datetime | None = None) -> list[int]:
    """Mark FAILED each job RUNNING for longer than RUNNING_DEADLINE.

    Emails each requester the reason and returns the ids failed.
    """
    cutoff = (now or timezone.now()) - RUNNING_DEADLINE
    abandoned = StaffJob.objects.filter(
        status=StaffJob.Status.RUNNING, started_at__lt=cutoff
    ).select_related("requested_by")
    failed = []
    for job in abandoned.order_by("started_at", "pk")[:SWEEP_BATCH_SIZE]:
        if fail_job(job, _abandoned_message(job)):
            email_requester(job)
            failed.append(job.pk)
    return failed


def _abandoned_message(job: StaffJob) -> str:
    started = timezone.localtime(job.started_at)
    limit = int(TIME_LIMIT.total_seconds() // 60)
    return (
        f"The worker running this job stopped before it finished: the job "
        f"started at {started:%Y-%m-%d %H:%M} and a staff job is stopped "
        f"after {limit} minutes. No file was saved. Start the job again."
    )
