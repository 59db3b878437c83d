"""Staff jobs: long back-office actions run by a Celery worker.

A screen starts a job with `start_job`, which writes a QUEUED StaffJob
and queues shop.tasks.run_staff_job when the transaction commits. The
worker's `run_job` claims the row (QUEUED to RUNNING) and calls the kind's
function from JOB_KINDS with the job and a Progress. Then it stores the
file the function returns, marks the job DONE or FAILED, and emails the
staff member who started it. shop.job_sweeps queues jobs again that a down
broker lost, and fails jobs whose worker died.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from shop.emails import send_logged_email
from shop.models import StaffJob
from shop.queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

Status = StaffJob.Status

# Celery stops run_staff_job after this time: SoftTimeLimitExceeded is
# raised in the job a minute before the hard limit kills the process.
TIME_LIMIT = timedelta(hours=1)
SOFT_TIME_LIMIT = TIME_LIMIT - timedelta(minutes=1)

# A user with this permission sees and downloads every staff member's jobs:
# the Manager role and superusers. Other staff see their own jobs only.
SEE_ALL_PERMISSION = "shop.view_staffjob"

# Status changes run_job and the sweep make. FAILED to DONE happens when
# the sweep gave up on a job that then finished after all: its file wins.
TRANSITIONS: dict[str, set[str]] = {
    Status.QUEUED: {Status.RUNNING},
    Status.RUNNING: {Status.DONE, Status.FAILED},
    Status.FAILED: {Status.DONE},
}


@dataclass(frozen=True)
class JobKind:
    """A kind of job: the dotted path of its function and the permission
    a staff member needs to start it."""

    function: str
    permission: str


# The functions are named by dotted path, not imported, because shop is
# the bottom app and must not import the apps above it. Each is imported
# when a job of its kind runs, and is called as function(job, progress).
JOB_KINDS: dict[str, JobKind] = {
    "label_batch": JobKind(
        "fulfillment.label_batch.print_label_batch", "fulfillment.change_shipment"
    ),
    "journal_export": JobKind(
        "accounting.export_jobs.export_journal_file", "accounting.view_journalentry"
    ),
}


@dataclass(frozen=True)
class JobFile:
    """The file a job function returns, and the summary shown with it."""

    filename: str
    content: bytes
    summary: str


class JobError(Exception):
    """Raised by a job function that cannot produce its file. Staff see the
    message as it is, so it states what failed and what to do next."""


class Progress:
    """The progress reports of one running job."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id

    def report(self, done: int, total: int, message: str = "") -> None:
        """Save `done` of `total` steps and the current step's message.

        Call outside a transaction: each report is then an UPDATE committed
        at once, which the jobs page reads while the job runs. A job that
        is no longer RUNNING is left unchanged.
        """
        StaffJob.objects.filter(pk=self.job_id, status=Status.RUNNING).update(
            progress_done=done, progress_total=total, message=message
        )


def start_job(*, kind: str, title: str, params: dict[str, Any], user: User) -> StaffJob:
    """Write a QUEUED job and queue its task when the transaction commits.

    A rolled-back transaction leaves neither the row nor the task. When
    the broker is down at commit the job stays QUEUED until the sweep
    queues it again. Raises ValueError for a kind missing from JOB_KINDS
    and PermissionDenied when `user` lacks the kind's permission.
    """
    if kind not in JOB_KINDS:
        raise ValueError(
            f"Unknown staff job kind {kind!r}; add it to shop.jobs.JOB_KINDS "
            f"or use one of {', '.join(JOB_KINDS)}."
        )
    if not user.has_perm(JOB_KINDS[kind].permission):
        raise PermissionDenied(
            f"Starting a {kind} job requires permission {JOB_KINDS[kind].permission}."
        )
    # Imported here because shop.tasks imports this module.
    from shop.tasks import run_staff_job

    job = StaffJob.objects.create(
        kind=kind, title=title[:200], params=params, requested_by=user
    )
    enqueue_on_commit(run_staff_job, job.pk)
    logger.info(
        "Staff job %s requested: %s",
        job.pk,
        job.title,
        extra=_ids(job) | {"user_id": user.pk},
    )
    return job


def run_job(*, job_id: int) -> StaffJob | None:
    """Run a QUEUED job to its end and email its requester.

    Returns the finished job, or None when the job was not QUEUED (another
    worker claimed it, or it already ended), so running it twice is safe.
    Any error of the job function marks the job FAILED with a message for
    staff, and is not raised. Call outside a transaction, so that progress
    reports commit while the job runs.
    """
    if not _move(job_id, Status.RUNNING, started_at=timezone.now()):
        logger.info(
            "Staff job %s is not queued; nothing to run",
            job_id,
            extra={"staff_job_id": job_id},
        )
        return None
    job = StaffJob.objects.select_related("requested_by").get(pk=job_id)
    logger.info("Staff job %s started: %s", job.pk, job.title, extra=_ids(job))

    try:
        produced = _job_function(job.kind)(job, Progress(job.pk))
    except JobError as error:
        logger.warning("Staff job %s failed: %s", job.pk, error, extra=_ids(job))
        _fail(job, str(error))
    except SoftTimeLimitExceeded:
        logger.error("Staff job %s ran out of time", job.pk, extra=_ids(job))
        _fail(job, _time_limit_message())
    except Exception as error:
        # Any other error ends the job too. Staff see the message on the
        # page, and the traceback goes to the log for debugging.
        logger.exception("Staff job %s failed", job.pk, extra=_ids(job))
        _fail(job, _unexpected_error_message(job, error))
    else:
        _finish(job, produced)

    job.refresh_from_db()
    email_requester(job)
    return job


def fail_job(job: StaffJob, message: str) -> bool:
    """Mark a RUNNING job FAILED with `message`; return whether it was."""
    failed = _move(job.pk, Status.FAILED, message=message, finished_at=timezone.now())
    if failed:
        job.refresh_from_db()
    return failed


def email_requester(job: StaffJob) -> None:
    """Email the staff member who started a finished job its outcome.

    A DONE job's email has the download link, a FAILED job's the reason.
    A mail error is logged (EmailLog and a warning) and not raised: the
    outcome is on the jobs page either way.
    """
    to = job.requested_by.email
    if not to:
        logger.info(
            "Staff job %s: requester has no email address", job.pk, extra=_ids(job)
        )
        return
    subject, body = _email_text(job)
    try:
        send_logged_email(
            to=to,
            subject=subject,
            text_body=body,
            kind="staff_job",
            reference=f"staff job {job.pk}",
        )
    except OSError:  # Logged by send_logged_email; smtplib errors included.
        return


def jobs_visible_to(user: User | AnonymousUser) -> QuerySet[StaffJob]:
    """Return the jobs a staff member may see: all with SEE_ALL_PERMISSION,
    else their own."""
    jobs = StaffJob.objects.select_related("requested_by")
    if user.has_perm(SEE_ALL_PERMISSION):
        return jobs
    return jobs.filter(requested_by_id=user.pk)


def can_download(user: User | AnonymousUser, job: StaffJob) -> bool:
    """Tell whether `user` may download the job's file."""
    return job.requested_by_id == user.pk or user.has_perm(SEE_ALL_PERMISSION)


def download_filename(job: StaffJob) -> str:
    """Return the name the file is downloaded under ("labels.pdf")."""
    return PurePosixPath(job.file.name).name


def download_url(job: StaffJob) -> str:
    """Return the absolute URL of the job's file, for emails."""
    path = reverse("admin:shop_staffjob_download", args=[job.pk])
    return settings.SHOP_BASE_URL.rstrip("/") + path


def _job_function(kind: str) -> Callable[[StaffJob, Progress], JobFile]:
    if kind not in JOB_KINDS:
        raise JobError(
            f"This job's kind {kind!r} is no longer known to the shop, so it "
            f"cannot run. Start the action again from its screen."
        )
    return import_string(JOB_KINDS[kind].function)


def _finish(job: StaffJob, produced: JobFile) -> None:
    # The job id as a folder keeps the file's own name for the download.
    job.file.save(
        f"{job.pk}/{produced.filename}", ContentFile(produced.content), save=False
    )
    _move(
        job.pk,
        Status.DONE,
        file=job.file.name,
        message=produced.summary,
        finished_at=timezone.now(),
    )
    logger.info(
        "Staff job %s done: %s",
        job.pk,
        job.file.name,
        extra=_ids(job) | {"bytes": len(produced.content)},
    )


def _fail(job: StaffJob, message: str) -> None:
    if not fail_job(job, message):
        logger.warning(
            "Staff job %s was no longer running when it failed: %s",
            job.pk,
            message,
            extra=_ids(job),
        )


def _move(job_id: int, status: str, **fields: Any) -> bool:
    """Change a job's status if TRANSITIONS allows it from the current one.

    One conditional UPDATE, so two workers cannot both claim a job.
    """
    sources = [source for source, targets in TRANSITIONS.items() if status in targets]
    updated = StaffJob.objects.filter(pk=job_id, status__in=sources).update(
        status=status, **fields
    )
    return updated == 1


def _time_limit_message() -> str:
    minutes = int(SOFT_TIME_LIMIT.total_seconds() // 60)
    return (
        f"The job was stopped after {minutes} minutes, the time limit of a "
        f"staff job, and no file was saved. Start it again with fewer items."
    )


def _unexpected_error_message(job: StaffJob, error: Exception) -> str:
    return (
        f"The job stopped on an unexpected error ({type(error).__name__}: "
        f"{error}) and no file was saved. Start it again. If it fails again, "
        f"report staff job {job.pk}: the worker's log has the details."
    )


def _email_text(job: StaffJob) -> tuple[str, str]:
    jobs_page = settings.SHOP_BASE_URL.rstrip("/") + reverse(
        "admin:shop_staffjob_changelist"
    )
    if job.status == Status.DONE:
        subject = f"{job.title}: your file is ready"
        body = (
            f"{job.title} is done.\n\n{job.message}\n\n"
            f"Download {download_filename(job)}:\n{download_url(job)}\n\n"
            f"All your files and long actions:\n{jobs_page}\n"
        )
    else:
        subject = f"{job.title}: failed"
        body = (
            f"{job.title} failed.\n\n{job.message}\n\n"
            f"All your files and long actions:\n{jobs_page}\n"
        )
    return subject, body


def _ids(job: StaffJob) -> dict[str, object]:
    return {"staff_job_id": job.pk, "staff_job_kind": job.kind}
