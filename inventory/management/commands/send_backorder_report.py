"""Email the backorder report to staff now: manage.py send_backorder_report."""

from inventory.reports import send_backorder_report

from ._report_command import ReportCommand


class Command(ReportCommand):
    help = (
        "Email the backorder report to SHOP_STAFF_EMAILS, once per business day "
        "(a second run for the same day sends nothing)."
    )
    report_name = "backorder report"

    def send(self, *, business_date):
        return send_backorder_report(business_date=business_date)
