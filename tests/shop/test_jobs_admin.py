import pytest
from django.contrib import messages
from django.core.files.base import ContentFile
from django.urls import reverse

from shop.models import StaffJob
from shop.roles import FULFILLMENT, MANAGER

from .jobs_setup import make_staff, queued_job, register_test_kinds

pytestmark = pytest.mark.django_db

Status = StaffJob.Status
JOBS_PAGE = reverse("admin:shop_staffjob_changelist")
PROGRESS = reverse("admin:shop_staffjob_progress")


@pytest.fixture
def packer():
    return make_staff("packer", role=FULFILLMENT)


@pytest.fixture
def other_packer():
    return make_staff("other-packer", role=FULFILLMENT)


def done_job(user, *, content=b"%PDF-1.4 labels", filename="labels.pdf"):
    job = queued_job(
        user,
        status=Status.DONE,
        progress_done=3,
        progress_total=3,
        message="3 labels in the PDF.",
    )
    job.file.save(f"{job.pk}/{filename}", ContentFile(content))
    return job


def download_url(job):
    return reverse("admin:shop_staffjob_download", args=[job.pk])


def test_jobs_page_lists_own_jobs_only(client, packer, other_packer):
    queued_job(packer, title="Labels for 3 shipments")
    queued_job(other_packer, title="Labels for 9 shipments")
    client.force_login(packer)

    response = client.get(JOBS_PAGE)

    titles = [job.title for job in response.context["cl"].result_list]
    assert titles == ["Labels for 3 shipments"]


def test_manager_sees_every_job(client, packer, other_packer):
    manager = make_staff("manager", role=MANAGER)
    queued_job(packer, title="Labels for 3 shipments")
    queued_job(other_packer, title="Labels for 9 shipments")
    client.force_login(manager)

    response = client.get(JOBS_PAGE)

    titles = [job.title for job in response.context["cl"].result_list]
    assert titles == ["Labels for 9 shipments", "Labels for 3 shipments"]
    assert "other-packer" in response.content.decode()


def test_jobs_page_shows_progress_bar(client, packer):
    job = queued_job(packer, status=Status.RUNNING, progress_done=2, progress_total=5)
    client.force_login(packer)

    response = client.get(JOBS_PAGE)

    content = response.content.decode()
    assert (
        f'<span data-staff-job="{job.pk}" data-job-field="progress">'
        f'<progress max="5" value="2"></progress> '
        f"<span data-job-text>2 of 5</span></span>"
    ) in content
    assert (
        f'data-staff-job="{job.pk}" data-job-field="status" data-status="running"'
        in content
    )
    assert "<h1>Files and long actions</h1>" in content


def test_jobs_page_refreshes_without_script_while_active(client, packer):
    queued_job(packer)
    client.force_login(packer)

    response = client.get(JOBS_PAGE)

    content = response.content.decode()
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in content
    assert 'src="/static/admin/js/staff_jobs.js"' in content
    assert f'data-progress-url="{PROGRESS}"' in content


def test_jobs_page_stops_refresh_when_ended(client, packer):
    done_job(packer)
    client.force_login(packer)

    response = client.get(JOBS_PAGE)

    assert 'http-equiv="refresh"' not in response.content.decode()


@pytest.mark.parametrize("job_count", [1, 6])
def test_jobs_page_query_count(client, packer, django_assert_num_queries, job_count):
    for _ in range(job_count):
        done_job(packer)
    client.force_login(packer)

    # Session, user, user and group permissions, the active-jobs check,
    # the filtered and total counts, the page of jobs with their
    # requesters, and the cart of the storefront's context processor.
    with django_assert_num_queries(9):
        response = client.get(JOBS_PAGE)

    assert len(response.context["cl"].result_list) == job_count


def test_admin_index_links_jobs_page(client, packer):
    client.force_login(packer)

    response = client.get(reverse("admin:index"))

    content = response.content.decode()
    assert f'<a href="{JOBS_PAGE}">Files and long actions</a>' in content


def test_progress_view_returns_job_state(client, packer):
    running = queued_job(
        packer,
        title="Labels for 4 shipments",
        status=Status.RUNNING,
        progress_done=1,
        progress_total=4,
        message="Shipment 100001-1",
    )
    done = done_job(packer)
    client.force_login(packer)

    response = client.get(PROGRESS, {"id": [running.pk, done.pk]})

    assert response.json() == {
        "jobs": [
            {
                "id": done.pk,
                "status": "done",
                "status_label": "Done",
                "done": 3,
                "total": 3,
                "progress_text": "3 of 3",
                "message": "3 labels in the PDF.",
                "download_url": download_url(done),
                "download_name": "labels.pdf",
            },
            {
                "id": running.pk,
                "status": "running",
                "status_label": "Running",
                "done": 1,
                "total": 4,
                "progress_text": "1 of 4",
                "message": "Shipment 100001-1",
                "download_url": "",
                "download_name": "",
            },
        ]
    }


def test_progress_view_hides_other_staff_jobs(client, packer, other_packer):
    theirs = queued_job(other_packer)
    client.force_login(packer)

    response = client.get(PROGRESS, {"id": [theirs.pk, "abc"]})

    assert response.json() == {"jobs": []}


@pytest.mark.parametrize("job_count", [1, 6])
def test_progress_view_query_count(
    client, packer, django_assert_num_queries, job_count
):
    ids = [queued_job(packer).pk for _ in range(job_count)]
    client.force_login(packer)

    # Session, user, the SEE_ALL permission check (user and group
    # permissions), and the jobs with their requesters.
    with django_assert_num_queries(5):
        response = client.get(PROGRESS, {"id": ids})

    assert len(response.json()["jobs"]) == job_count


def test_download_by_requester_serves_file(client, packer):
    job = done_job(packer, content=b"%PDF-1.4 three labels")
    client.force_login(packer)

    response = client.get(download_url(job))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 three labels"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="labels.pdf"'


def test_download_by_other_fulfillment_user_forbidden(client, packer, other_packer):
    job = done_job(packer)
    client.force_login(other_packer)

    response = client.get(download_url(job))

    assert response.status_code == 403


def test_download_by_manager_allowed(client, packer):
    job = done_job(packer, content=b"%PDF-1.4 three labels")
    client.force_login(make_staff("manager", role=MANAGER))

    response = client.get(download_url(job))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 three labels"


def test_download_of_running_job_explains(client, packer):
    job = queued_job(packer, title="Labels for 3 shipments", status=Status.RUNNING)
    client.force_login(packer)

    response = client.get(download_url(job), follow=True)

    [message] = list(response.context["messages"])
    assert response.redirect_chain == [(JOBS_PAGE, 302)]
    assert message.level == messages.WARNING
    assert message.message == (
        "Labels for 3 shipments is running and has no file to download yet. "
        "It is linked here when the job is done."
    )


def test_download_of_missing_file_explains(client, packer):
    job = done_job(packer)
    job.file.storage.delete(job.file.name)
    client.force_login(packer)

    response = client.get(download_url(job), follow=True)

    [message] = list(response.context["messages"])
    assert message.level == messages.ERROR
    assert message.message == (
        f"The file {job.file.name} of Test count is missing from MEDIA_ROOT. "
        f"Restore it from a backup, or start the job again."
    )


def test_start_again_queues_failed_job(
    client, packer, monkeypatch, django_capture_on_commit_callbacks
):
    register_test_kinds(monkeypatch)
    failed = queued_job(packer, status=Status.FAILED, message="Worker died.")
    client.force_login(packer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            JOBS_PAGE,
            {"action": "start_again", "_selected_action": [failed.pk]},
            follow=True,
        )

    again = StaffJob.objects.exclude(pk=failed.pk).get()
    [message] = list(response.context["messages"])
    assert message.message == "Started again: Test count."
    assert again.status == Status.DONE
    assert again.requested_by == packer
    assert again.file.read() == b"1\n2\n3\n"


def test_start_again_skips_job_not_failed(client, packer):
    done = done_job(packer)
    client.force_login(packer)

    response = client.post(
        JOBS_PAGE,
        {"action": "start_again", "_selected_action": [done.pk]},
        follow=True,
    )

    [message] = list(response.context["messages"])
    assert message.message == (
        "1 of the selected jobs did not fail and were not started again; only "
        "failed jobs can be."
    )
    assert StaffJob.objects.count() == 1
