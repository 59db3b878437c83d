"""The jobs page in chromium: staff_jobs.js updates a row without a reload."""

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from playwright.sync_api import expect

from shop.models import StaffJob
from tests.e2e.conftest import page  # noqa: F401  (the fixture)

from .jobs_setup import make_staff, queued_job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Status = StaffJob.Status


def sign_in(browser_page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    browser_page.context.add_cookies([cookie])


def test_jobs_page_follows_job_without_reload(page, live_server):  # noqa: F811
    packer = make_staff("packer")
    job = queued_job(
        packer,
        title="Labels for 4 shipments",
        status=Status.RUNNING,
        progress_done=1,
        progress_total=4,
        message="Shipment 100001-1",
    )
    sign_in(page, live_server, packer)
    page.goto(f"{live_server.url}/admin/shop/staffjob/")
    progress = page.locator(f'[data-staff-job="{job.pk}"][data-job-field="progress"]')
    expect(progress).to_contain_text("1 of 4")
    # A reload would drop this mark.
    page.evaluate("window.stillTheSamePage = true")

    StaffJob.objects.filter(pk=job.pk).update(
        progress_done=3, message="Shipment 100003-1"
    )
    expect(progress).to_contain_text("3 of 4")
    expect(progress.locator("progress")).to_have_attribute("value", "3")
    job.file.save(f"{job.pk}/labels.pdf", ContentFile(b"%PDF-1.4"), save=False)
    StaffJob.objects.filter(pk=job.pk).update(
        status=Status.DONE, progress_done=4, message="4 labels in the PDF.",
        file=job.file.name,
    )  # fmt: skip

    download = page.locator(f'[data-staff-job="{job.pk}"][data-job-field="download"] a')
    expect(download).to_have_text("labels.pdf")
    expect(download).to_have_attribute(
        "href", f"/admin/shop/staffjob/{job.pk}/download/"
    )
    status = page.locator(f'[data-staff-job="{job.pk}"][data-job-field="status"]')
    expect(status).to_have_text("Done")
    message = page.locator(f'[data-staff-job="{job.pk}"][data-job-field="message"]')
    expect(message).to_have_text("4 labels in the PDF.")
    assert page.evaluate("window.stillTheSamePage") is True
