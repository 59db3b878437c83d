"""The "Files and long actions" page: the StaffJob admin.

Every staff member sees the jobs they started, and a user with
jobs.SEE_ALL_PERMISSION (the Manager role, superusers) sees everyone's.
Rows show a progress bar that static/admin/js/staff_jobs.js refreshes
from the JSON progress view; without JavaScript the page reloads itself
while a job is active. The file of a finished job is served by the
download view, to its requester and to users who see all jobs only.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from . import jobs
from .downloads import document_response
from .models import StaffJob

PAGE_TITLE = "Files and long actions"
ACTIVE_STATUSES = (StaffJob.Status.QUEUED, StaffJob.Status.RUNNING)
# The read-only page of one job.
JOB_FIELDS = (
    "title",
    "status_cell",
    "progress_cell",
    "message_cell",
    "download_cell",
    "requested_by",
    "params",
    "created_at",
    "started_at",
    "finished_at",
)
# Maximum number of jobs in one progress request. A page lists 50.
MAX_POLLED_JOBS = 100


def job_state(job: StaffJob) -> dict[str, object]:
    """Return what the jobs page shows of a job, as the progress view sends
    it to the page's script."""
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "done": job.progress_done,
        "total": job.progress_total,
        "progress_text": _progress_text(job),
        "message": job.message,
        "download_url": _download_path(job),
        "download_name": jobs.download_filename(job) if job.file else "",
    }


@admin.register(StaffJob)
class StaffJobAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "status_cell",
        "progress_cell",
        "message_cell",
        "download_cell",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["requested_by"]
    list_per_page = 50
    actions = ["start_again"]
    fields = readonly_fields = JOB_FIELDS

    # Any staff member may open the page, and get_queryset narrows the rows.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffJob]:
        return jobs.jobs_visible_to(request.user)

    def get_list_display(self, request: HttpRequest):
        if request.user.has_perm(jobs.SEE_ALL_PERMISSION):
            return [*self.list_display, "requested_by"]
        return self.list_display

    def get_urls(self):
        progress_view = self.admin_site.admin_view(self.progress_view)
        download_view = self.admin_site.admin_view(self.download_view)
        return [
            path("progress/", progress_view, name="shop_staffjob_progress"),
            path(
                "<int:job_id>/download/", download_view, name="shop_staffjob_download"
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        active = self.get_queryset(request).filter(status__in=ACTIVE_STATUSES)
        context = {
            "title": PAGE_TITLE,
            "jobs_active": active.exists(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    @admin.display(description="Status", ordering="status")
    def status_cell(self, job: StaffJob) -> str:
        return format_html(
            '<span data-staff-job="{}" data-job-field="status" data-status="{}">'
            "{}</span>",
            job.pk,
            job.status,
            job.get_status_display(),
        )

    @admin.display(description="Progress")
    def progress_cell(self, job: StaffJob) -> str:
        # A bar without a value is indeterminate: the total is not known yet.
        bar = (
            format_html(
                '<progress max="{}" value="{}"></progress>',
                job.progress_total,
                job.progress_done,
            )
            if job.progress_total
            else mark_safe("<progress></progress>")
        )
        return format_html(
            '<span data-staff-job="{}" data-job-field="progress">{} '
            "<span data-job-text>{}</span></span>",
            job.pk,
            bar,
            _progress_text(job),
        )

    @admin.display(description="Message")
    def message_cell(self, job: StaffJob) -> str:
        return format_html(
            '<span data-staff-job="{}" data-job-field="message" '
            'style="white-space: pre-line">{}</span>',
            job.pk,
            job.message,
        )

    @admin.display(description="File")
    def download_cell(self, job: StaffJob) -> str:
        url = _download_path(job)
        link = (
            format_html('<a href="{}">{}</a>', url, jobs.download_filename(job))
            if url
            else "-"
        )
        return format_html(
            '<span data-staff-job="{}" data-job-field="download">{}</span>',
            job.pk,
            link,
        )

    @admin.action(description="Start selected failed jobs again")
    def start_again(self, request: HttpRequest, queryset: QuerySet[StaffJob]):
        selected = list(queryset.order_by("created_at", "pk"))
        failed = [job for job in selected if job.status == StaffJob.Status.FAILED]
        for job in failed:
            try:
                jobs.start_job(
                    kind=job.kind, title=job.title, params=job.params, user=request.user
                )
            except (PermissionDenied, ValueError) as error:
                self.message_user(
                    request, f"{job.title} not started: {error}", messages.ERROR
                )
            else:
                self.message_user(
                    request, f"Started again: {job.title}.", messages.SUCCESS
                )
        skipped = len(selected) - len(failed)
        if skipped:
            self.message_user(
                request,
                f"{skipped} of the selected jobs did not fail and were not started "
                f"again; only failed jobs can be.",
                messages.WARNING,
            )

    def progress_view(self, request: HttpRequest) -> JsonResponse:
        """Return the state of the jobs named by the `id` parameters."""
        ids = [int(value) for value in request.GET.getlist("id") if value.isdigit()]
        polled = self.get_queryset(request).filter(pk__in=ids[:MAX_POLLED_JOBS])
        return JsonResponse({"jobs": [job_state(job) for job in polled]})

    def download_view(self, request: HttpRequest, job_id: int) -> HttpResponseBase:
        """Send a finished job's file to its requester or a user who sees
        all jobs; anyone else gets 403."""
        job = get_object_or_404(StaffJob, pk=job_id)
        if not jobs.can_download(request.user, job):
            raise PermissionDenied
        if job.status != StaffJob.Status.DONE or not job.file:
            self.message_user(
                request,
                f"{job.title} is {job.get_status_display().lower()} and has no "
                f"file to download yet. It is linked here when the job is done.",
                messages.WARNING,
            )
            return redirect("admin:shop_staffjob_changelist")
        try:
            handle = job.file.open("rb")
        except FileNotFoundError:
            self.message_user(
                request,
                f"The file {job.file.name} of {job.title} is missing from "
                f"MEDIA_ROOT. Restore it from a backup, or start the job again.",
                messages.ERROR,
            )
            return redirect("admin:shop_staffjob_changelist")
        return document_response(handle, filename=jobs.download_filename(job))


def _progress_text(job: StaffJob) -> str:
    if job.progress_total:
        return f"{job.progress_done} of {job.progress_total}"
    if job.status == StaffJob.Status.QUEUED:
        return "Waiting for a worker"
    return ""


def _download_path(job: StaffJob) -> str:
    if job.status != StaffJob.Status.DONE or not job.file:
        return ""
    return reverse("admin:shop_staffjob_download", args=[job.pk])


def _rename_in_app_list(site: admin.AdminSite) -> None:
    """Show the StaffJob entry of the admin index and sidebar as PAGE_TITLE
    instead of the model's plural name, "Staff jobs"."""
    site_get_app_list = site.get_app_list

    def get_app_list(request, app_label=None):
        app_list = site_get_app_list(request, app_label)
        for app in app_list:
            for model in app["models"]:
                if model.get("model") is StaffJob:
                    model["name"] = PAGE_TITLE
        return app_list

    site.get_app_list = get_app_list  # type: ignore[method-assign]


_rename_in_app_list(admin.site)
