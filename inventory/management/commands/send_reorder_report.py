"""Email the reorder report to staff now: manage.py send_reorder_report."""

from inventory.reports import send_reorder_report

from ._report_command import ReportCommand


class Command(ReportCommand):
    help = (
        "Email the reorder report to SHOP_STAFF_EMAILS, once per business day "
        "(a second run for the same day sends nothing)."
    )
    report_name = "reorder report"

    def send(self, *, business_date):
        return send_reorder_report(business_date=business_date)
