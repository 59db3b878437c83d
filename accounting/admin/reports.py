"""Back-office report screens and journal downloads, under /admin/reports/.

The admin has no model for a report, so the views are added to the admin
site's URLs and to the accounting section of its index by wrapping the
site's get_urls and get_app_list.
"""

from collections.abc import Callable
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from accounting.export_jobs import (
    DIRECT_EXPORT_MAX_DAYS,
    period_days,
    runs_as_job,
    start_journal_export,
)
from accounting.exports import FORMATS, export_journal
from accounting.reports import (
    Period,
    balance_sheet,
    income_statement,
    monthly_fees,
    payouts,
    reconcile,
    sales_tax_report,
    trial_balance,
)

PERMISSION = "accounting.view_journalentry"


class PeriodForm(forms.Form):
    start = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(
                f"The period starts on {start} after it ends on {end}; "
                "give a start date on or before the end date."
            )
        return cleaned

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


def month_to_date() -> dict[str, date]:
    today = timezone.localdate()
    return {"start": today.replace(day=1), "end": today}


# Each report: URL name, title, and a function of the period returning the
# template context.
REPORTS: dict[str, tuple[str, Callable[[Period], dict]]] = {
    "trial_balance": (
        "Trial balance",
        lambda period: {"report": trial_balance(period=period)},
    ),
    "income_statement": (
        "Income statement",
        lambda period: {"report": income_statement(period=period)},
    ),
    "balance_sheet": (
        "Balance sheet",
        lambda period: {"report": balance_sheet(as_of=period.end)},
    ),
    "sales_tax": (
        "Sales tax",
        lambda period: {"report": sales_tax_report(period=period)},
    ),
    "stripe": (
        "Stripe fees and payouts",
        lambda period: {
            "fees": monthly_fees(period=period),
            "payouts": payouts(period=period),
        },
    ),
    "reconciliation": (
        "Reconciliation",
        lambda period: {"discrepancies": reconcile(period=period)},
    ),
}


class ReportViews:
    """The report screens of one admin site."""

    def __init__(self, site: admin.AdminSite):
        self.site = site

    def get_urls(self) -> list:
        urls = [
            path("reports/", self._view(self.index), name="accounting_reports"),
            path(
                "reports/export/",
                self._view(self.export),
                name="accounting_reports_export",
            ),
        ]
        for name in REPORTS:
            urls.append(
                path(
                    f"reports/{name.replace('_', '-')}/",
                    self._view(self.report, report=name),
                    name=f"accounting_reports_{name}",
                )
            )
        return urls

    def _view(self, view, **kwargs):
        def checked(request: HttpRequest) -> HttpResponse:
            if not request.user.has_perm(PERMISSION):
                raise PermissionDenied
            return view(request, **kwargs)

        return self.site.admin_view(checked)

    def index(self, request: HttpRequest) -> HttpResponse:
        form = PeriodForm(request.GET or month_to_date())
        context = self._context(request, "Reports", form)
        context["reports"] = [
            (reverse(f"admin:accounting_reports_{name}"), title)
            for name, (title, _) in REPORTS.items()
        ]
        context["formats"] = FORMATS.values()
        return TemplateResponse(request, "admin/accounting/reports/index.html", context)

    def report(self, request: HttpRequest, report: str) -> HttpResponse:
        title, build = REPORTS[report]
        form = PeriodForm(request.GET or month_to_date())
        context = self._context(request, title, form)
        if form.is_valid():
            context.update(build(form.period), period=form.period)
        return TemplateResponse(
            request, f"admin/accounting/reports/{report}.html", context
        )

    def export(self, request: HttpRequest) -> HttpResponse:
        form = PeriodForm(request.GET)
        format_code = request.GET.get("format", "")
        if not form.is_valid() or format_code not in FORMATS:
            context = self._context(request, "Reports", form)
            context["export_error"] = (
                f"Unknown export format {format_code!r}; choose one of "
                f"{', '.join(FORMATS)}."
                if format_code not in FORMATS
                else "Correct the dates below, then download again."
            )
            context["formats"] = FORMATS.values()
            return TemplateResponse(
                request, "admin/accounting/reports/index.html", context, status=400
            )
        if runs_as_job(form.period):
            return self._export_job(request, form, format_code)
        journal = export_journal(period=form.period, format_code=format_code)
        response = HttpResponse(
            journal.content,
            content_type=f"{journal.format.content_type}; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{journal.filename}"'
        return response

    def _export_job(
        self, request: HttpRequest, form: PeriodForm, format_code: str
    ) -> HttpResponse:
        """Confirm, then start, the export of a long period as a staff job.

        A GET only shows the confirmation, so a reloaded or prefetched link
        starts nothing. The confirmation's POST starts the job.
        """
        period = form.period
        if request.method == "POST":
            job = start_journal_export(
                period=period, format_code=format_code, user=request.user
            )
            messages.success(
                request,
                format_html(
                    '{} started. Follow it on <a href="{}">Files and long '
                    "actions</a>. You also get an email with the file's link "
                    "when it is done.",
                    job.title,
                    reverse("admin:shop_staffjob_changelist"),
                ),
            )
            return redirect("admin:shop_staffjob_changelist")
        context = self._context(request, "Export the journal", form)
        context.update(
            period=period,
            period_days=period_days(period),
            max_days=DIRECT_EXPORT_MAX_DAYS,
            export_format=FORMATS[format_code],
        )
        return TemplateResponse(
            request, "admin/accounting/reports/export_job.html", context
        )

    def _context(self, request: HttpRequest, title: str, form: PeriodForm) -> dict:
        return {
            **self.site.each_context(request),
            "title": title,
            "form": form,
            "reports_url": reverse("admin:accounting_reports"),
        }


def install(site: admin.AdminSite) -> None:
    """Add the report URLs to `site` and a Reports link to its index."""
    views = ReportViews(site)
    site_get_urls = site.get_urls
    site_get_app_list = site.get_app_list

    def get_urls():
        return views.get_urls() + site_get_urls()

    def get_app_list(request, app_label=None):
        app_list = site_get_app_list(request, app_label)
        if request.user.has_perm(PERMISSION):
            for app in app_list:
                if app["app_label"] == "accounting":
                    app["models"].append(_index_entry())
        return app_list

    site.get_urls = get_urls  # type: ignore[method-assign]
    site.get_app_list = get_app_list  # type: ignore[method-assign]


def _index_entry() -> dict:
    return {
        "name": "Reports and exports",
        "object_name": "Reports",
        "perms": {"view": True},
        "admin_url": reverse("admin:accounting_reports"),
        "add_url": None,
        "view_only": True,
    }


install(admin.site)
