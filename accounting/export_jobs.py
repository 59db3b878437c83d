"""Journal exports of long periods, made by a staff job.

The reports screen downloads the export of a period of up to
DIRECT_EXPORT_MAX_DAYS days at once. A staff job exports a longer
period, such as a year for the accountant. It reads the entries month by
month and reports each month as progress. Then it renders them with the
writer of the direct download, so the file has the same text.
"""

from datetime import date, timedelta

from django.contrib.auth.models import User

from accounting.exports import export_format, list_entries, render_journal
from accounting.models import JournalEntry
from accounting.reports.periods import Period, parse_period
from shop.jobs import JobError, JobFile, Progress, start_job
from shop.models import StaffJob

JOB_KIND = "journal_export"
# Maximum period length, in days, that the reports screen exports within
# the request. 92 days covers any calendar quarter.
DIRECT_EXPORT_MAX_DAYS = 92


def runs_as_job(period: Period) -> bool:
    """Tell whether the period is too long to export within a request."""
    return period_days(period) > DIRECT_EXPORT_MAX_DAYS


def period_days(period: Period) -> int:
    return (period.end - period.start).days + 1


def start_journal_export(*, period: Period, format_code: str, user: User) -> StaffJob:
    """Queue a job exporting the period's journal in one format.

    The job is queued when the caller's transaction commits. Raises
    ValueError naming the choices for an unknown format.
    """
    chosen = export_format(format_code)
    return start_job(
        kind=JOB_KIND,
        title=f"Journal export, {chosen.label}, {period}",
        params={
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "format": format_code,
        },
        user=user,
    )


def export_journal_file(job: StaffJob, progress: Progress) -> JobFile:
    """Export the journal of the job's period and format.

    The staff job function of JOB_KIND. Progress counts calendar months.
    Raises JobError for parameters that name no period or format.
    """
    try:
        period = parse_period(job.params["start"], job.params["end"])
        chosen = export_format(job.params["format"])
    except (KeyError, ValueError) as error:
        raise JobError(
            f"The export's parameters {job.params!r} are invalid ({error}). "
            f"Start the export again from Reports and exports."
        ) from error

    entries: list[JournalEntry] = []
    months = month_periods(period)
    progress.report(0, len(months), "Starting")
    for done, month in enumerate(months, start=1):
        entries.extend(list_entries(period=month))
        progress.report(
            done, len(months), f"Read {month.start:%B %Y}: {len(entries)} entries"
        )

    journal = render_journal(entries=entries, period=period, format_code=chosen.code)
    summary = f"{journal.entry_count} entries, {journal.line_count} lines, {period}."
    if journal.over_line_limit:
        summary += (
            f" {chosen.label} takes at most {chosen.max_lines} lines per file: "
            f"export shorter periods for the import."
        )
    return JobFile(
        filename=journal.filename,
        content=journal.content.encode("utf-8"),
        summary=summary,
    )


def month_periods(period: Period) -> list[Period]:
    """Split a period into its calendar months, first and last cut to it.

    Consecutive and in order, so the months' entries, joined, are the
    period's entries in list_entries order (entry date, then id).
    """
    months = []
    start = period.start
    while start <= period.end:
        next_month = _first_of_next_month(start)
        months.append(Period(start, min(period.end, next_month - timedelta(days=1))))
        start = next_month
    return months


def _first_of_next_month(day: date) -> date:
    if day.month == 12:
        return date(day.year + 1, 1, 1)
    return date(day.year, day.month + 1, 1)
