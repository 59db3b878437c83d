"""Customer screens of the admin: the add and change form, likely
duplicates, merging records and the mailing-list export.

CustomerAdminMixin goes in front of the Customer ModelAdmin's other
bases. It adds these pages under /admin/shop/customer/:

- duplicates/: groups of likely duplicate records (shop.duplicates), each
  with a form to merge it (needs view permission to see, change and
  delete to merge);
- merge/: the confirmation step, then shop.customer_merge.merge_customers;
- mailing-list.csv: the customers who accept marketing email (view
  permission).
"""

import csv
import logging

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from .consent import apply_marketing_consent
from .customer_merge import MergeError, MergeResult, merge_customers
from .customers import find_customer_by_email, normalize_email
from .duplicates import find_duplicate_ids, list_duplicate_groups
from .mailing_list import mailing_list_rows
from .models import ConsentSource, Customer

logger = logging.getLogger(__name__)

GROUPS_PER_PAGE = 25


class CustomerAdminForm(forms.ModelForm):
    """The admin's customer form, with emails trimmed and kept unique
    without regard to case."""

    class Meta:
        model = Customer
        fields = [
            "user",
            "email",
            "first_name",
            "last_name",
            "phone",
            "marketing_consent",
        ]

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        existing = find_customer_by_email(email, exclude_pk=self.instance.pk)
        if existing is not None:
            url = reverse("admin:shop_customer_change", args=[existing.pk])
            raise forms.ValidationError(
                format_html(
                    "Customer {} already has the email {}, compared without "
                    'case or spaces. <a href="{}">Open that record</a> and edit '
                    "it instead, or enter another email.",
                    existing.pk,
                    existing.email.strip(),
                    url,
                ),
                code="duplicate_email",
            )
        return email


class _Echo:
    """A file-like object whose write() returns the line, for streaming."""

    def write(self, value: str) -> str:
        return value


class CustomerAdminMixin:
    """Likely duplicates, merging, staff consent and the mailing list."""

    form = CustomerAdminForm
    change_list_template = "admin/shop/customer/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # Consent's date and source are set by shop.consent, never typed.
        return [*fields, "marketing_consent_at", "marketing_consent_source"]

    def save_model(self, request, obj, form, change):
        if "marketing_consent" in form.changed_data:
            apply_marketing_consent(
                obj, consent=obj.marketing_consent, source=ConsentSource.STAFF
            )
        super().save_model(request, obj, form, change)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self._can_merge(request):
            actions["merge_selected"] = (
                type(self).merge_selected,
                "merge_selected",
                "Merge selected customers",
            )
        return actions

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        name = f"{self.opts.app_label}_{self.opts.model_name}"
        own = [
            path(
                "duplicates/",
                wrap(self.duplicates_view),
                name=f"{name}_duplicates",
            ),
            path("merge/", wrap(self.merge_view), name=f"{name}_merge"),
            path(
                "mailing-list.csv",
                wrap(self.mailing_list_view),
                name=f"{name}_mailing_list",
            ),
        ]
        # In front of the admin's own URLs, whose "<object_id>/" pattern
        # would otherwise take these paths.
        return [*own, *super().get_urls()]

    def duplicates_view(self, request: HttpRequest) -> HttpResponse:
        """List groups of likely duplicate customers, a page at a time."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        page = Paginator(find_duplicate_ids(), GROUPS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context = {
            **self._context(request, "Likely duplicate customers"),
            "page": page,
            "groups": list_duplicate_groups(page.object_list),
        }
        return TemplateResponse(request, "admin/shop/customer/duplicates.html", context)

    @admin.action(description="Merge selected customers")
    def merge_selected(self, request: HttpRequest, queryset) -> HttpResponse | None:
        ids = sorted(queryset.values_list("pk", flat=True))
        if len(ids) < 2:
            self.message_user(
                request,
                "Select two or more customers to merge.",
                level=messages.WARNING,
            )
            return None
        return self._render_merge(request, ids, keep_id=None, confirm=False)

    def merge_view(self, request: HttpRequest) -> HttpResponse:
        """Confirm a merge, then run it (POST only)."""
        if request.method != "POST":
            return redirect("admin:shop_customer_duplicates")
        if not self._can_merge(request):
            raise PermissionDenied

        keep_id, remove_ids, problem = _merge_request(request)
        if problem:
            self.message_user(request, problem, level=messages.ERROR)
            return redirect("admin:shop_customer_duplicates")
        ids = sorted({keep_id, *remove_ids})
        if request.POST.get("confirm") != "yes":
            return self._render_merge(request, ids, keep_id, remove_ids, confirm=True)

        try:
            result = merge_customers(
                keep_id=keep_id, remove_ids=remove_ids, merged_by=request.user
            )
        except MergeError as error:
            logger.warning(
                "Customer merge rejected: %s",
                error,
                extra={"customer_id": keep_id, "removed_customer_ids": remove_ids},
            )
            self.message_user(request, str(error), level=messages.ERROR)
            response = self._render_merge(
                request, ids, keep_id, remove_ids, confirm=False
            )
            response.status_code = 400
            return response
        self.message_user(request, _merge_summary(result), level=messages.SUCCESS)
        return redirect("admin:shop_customer_change", keep_id)

    def mailing_list_view(self, request: HttpRequest) -> StreamingHttpResponse:
        """Stream the mailing list as CSV (see shop.mailing_list)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in mailing_list_rows()),
            content_type="text/csv; charset=utf-8",
        )
        filename = f"mailing-list-{timezone.localdate().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def _render_merge(
        self,
        request: HttpRequest,
        ids: list[int],
        keep_id: int | None,
        remove_ids: list[int] | None = None,
        *,
        confirm: bool,
    ) -> TemplateResponse:
        groups = list_duplicate_groups([(ids, [])])
        group = groups[0] if groups else None
        if group is not None and keep_id is None:
            keep_id = group.suggested_keep.pk
        context = {
            **self._context(request, "Merge customers"),
            "group": group,
            "keep_id": keep_id,
            "remove_ids": remove_ids if remove_ids is not None else ids,
            "confirm": confirm,
        }
        return TemplateResponse(request, "admin/shop/customer/merge.html", context)

    def _context(self, request: HttpRequest, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "can_merge": self._can_merge(request),
        }

    def _can_merge(self, request: HttpRequest) -> bool:
        # A merge deletes the records it empties.
        return self.has_change_permission(request) and self.has_delete_permission(
            request
        )


def _merge_request(request: HttpRequest) -> tuple[int, list[int], str]:
    """Read the kept id and the ids to merge from a posted merge form.

    Returns them with an empty problem, or a problem naming the bad value.
    """
    keep = request.POST.get("keep", "")
    merge = [value for value in request.POST.getlist("merge") if value != keep]
    bad = [value for value in [keep, *merge] if not value.isdigit()]
    if not keep:
        return 0, [], "Choose the record to keep, then merge again."
    if bad:
        return 0, [], f"Customer id {bad[0]!r} is invalid. Reload the page."
    if not merge:
        return (
            0,
            [],
            (
                f"No record was ticked to merge into customer {keep}. Tick at least "
                "one other record."
            ),
        )
    return int(keep), sorted({int(value) for value in merge}), ""


def _merge_summary(result: MergeResult) -> str:
    removed = ", ".join(str(pk) for pk in result.removed_ids)
    parts = [
        _count(len(result.order_numbers), "order"),
        _count(result.addresses_moved, "address", "addresses"),
    ]
    if result.login_moved:
        parts.append(f"the login {result.login_moved}")
    if result.consent_from is not None:
        parts.append(f"the consent decision of customer {result.consent_from}")
    summary = (
        f"Customer {removed} merged into customer {result.kept.pk} "
        f"({result.kept.email}): moved {', '.join(parts)}."
    )
    if result.addresses_dropped:
        dropped = _count(result.addresses_dropped, "address", "addresses")
        summary += f" Dropped {dropped} that the kept record already had."
    return summary


def _count(number: int, singular: str, plural: str = "") -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"
