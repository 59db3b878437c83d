"""Staff members and job kinds for the staff job tests.

The job functions here are registered under test kinds with
`register_test_kinds`, by dotted path as shop.jobs.JOB_KINDS names the
real ones.
"""

from celery.exceptions import SoftTimeLimitExceeded
from django.contrib.auth.models import Group, Permission, User

from shop import jobs
from shop.jobs import JobError, JobFile, JobKind, Progress, start_job
from shop.models import StaffJob

THIS_MODULE = "tests.shop.jobs_setup"
# The permission the test kinds require, which the Fulfillment role has.
KIND_PERMISSION = "fulfillment.view_shipment"


def make_staff(
    username: str, *, role: str | None = None, permissions: tuple[str, ...] = ()
) -> User:
    """Make an active staff member in the role's group, if one is given,
    with `permissions` ("app_label.codename") of their own."""
    user = User.objects.create_user(
        username,
        email=f"{username}@example.com",
        password="pw-not-used",
        is_staff=True,
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    for label in permissions:
        app_label, codename = label.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def count_to_three(job: StaffJob, progress: Progress) -> JobFile:
    for done in range(4):
        progress.report(done, 3, f"Counted {done}")
    return JobFile("count.txt", b"1\n2\n3\n", "Counted to 3.")


def reject_empty_list(job: StaffJob, progress: Progress) -> JobFile:
    progress.report(0, 2, "Starting")
    raise JobError("Nothing to count: the list is empty. Add items and start again.")


def divide_by_zero(job: StaffJob, progress: Progress) -> JobFile:
    progress.report(1, 2, "Dividing")
    return JobFile("never.txt", str(1 / 0).encode(), "")


def run_out_of_time(job: StaffJob, progress: Progress) -> JobFile:
    raise SoftTimeLimitExceeded()


def finish_after_sweep(job: StaffJob, progress: Progress) -> JobFile:
    # What the sweep does to a job it takes for abandoned.
    StaffJob.objects.filter(pk=job.pk).update(status=StaffJob.Status.FAILED)
    return JobFile("late.txt", b"late\n", "Finished late.")


TEST_KINDS = {
    "count": count_to_three,
    "reject": reject_empty_list,
    "divide": divide_by_zero,
    "timeout": run_out_of_time,
    "late": finish_after_sweep,
}


def register_test_kinds(monkeypatch) -> None:
    for kind, function in TEST_KINDS.items():
        monkeypatch.setitem(
            jobs.JOB_KINDS,
            kind,
            JobKind(f"{THIS_MODULE}.{function.__name__}", KIND_PERMISSION),
        )


def record_progress(monkeypatch) -> list[tuple[int, int, str]]:
    """Record every Progress.report call as (done, total, message), and
    still save each one; return the list the calls are appended to."""
    reports: list[tuple[int, int, str]] = []
    report = Progress.report

    def record(progress: Progress, done: int, total: int, message: str = "") -> None:
        reports.append((done, total, message))
        report(progress, done, total, message)

    monkeypatch.setattr(Progress, "report", record)
    return reports


def queued_job(user: User, *, kind: str = "count", **fields) -> StaffJob:
    """Write a job row without queueing its task."""
    values = {"kind": kind, "title": f"Test {kind}", "requested_by": user}
    return StaffJob.objects.create(**(values | fields))


def start_and_run(user: User, captured_callbacks, *, kind: str = "count") -> StaffJob:
    """Start a job, run its on-commit task eagerly and return the job reloaded.

    `captured_callbacks` is pytest-django's django_capture_on_commit_callbacks.
    """
    with captured_callbacks(execute=True):
        job = start_job(kind=kind, title=f"Test {kind}", params={}, user=user)
    job.refresh_from_db()
    return job
