"""Back-office screens for the chart of accounts and the journal.

Posted entries are never edited: staff read them here and correct one by
reversing it (an action that posts the mirror entry with a reason).
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django.template.response import TemplateResponse

from accounting.ledger import reverse_entry
from accounting.models import Account, JournalEntry, JournalLine

from .invoices import ReadOnlyAdmin

ZERO = Decimal("0.00")


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type", "key", "is_active", "balance"]
    list_display_links = ["code", "name"]
    list_filter = ["type", "is_active"]
    search_fields = ["code", "name", "key"]
    fields = ["code", "name", "type", "key", "province", "description", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        # The key ties an account to the posting rules, and its type and
        # province decide where reports show it, so they stay as created.
        if obj is None:
            return ["key"]
        return ["key", "type", "province"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Account]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                total_debit=Sum("lines__debit", default=ZERO),
                total_credit=Sum("lines__credit", default=ZERO),
            )
        )

    @admin.display(description="balance")
    def balance(self, account: Account) -> Decimal:
        """Return the balance on the account's normal side."""
        difference = account.total_debit - account.total_credit  # type: ignore[attr-defined]
        return difference if account.is_debit_normal else -difference

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class JournalLineInline(admin.TabularInline):
    model = JournalLine
    fields = ["account", "debit", "credit", "memo", "tax_code", "province"]
    readonly_fields = ["account", "debit", "credit", "memo", "tax_code", "province"]
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[JournalLine]:
        return super().get_queryset(request).select_related("account")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReverseEntryForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        help_text="Why the entries are reversed; it is added to each "
        "reversal's description.",
    )


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "entry_date",
        "description",
        "kind",
        "amount",
        "event_key",
        "reversed_on",
    ]
    list_filter = ["kind", "entry_date"]
    search_fields = ["description", "event_key", "=order__number"]
    list_select_related = ["reversed_by"]
    inlines = [JournalLineInline]
    actions = ["reverse_entries"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[JournalEntry]:
        return (
            super()
            .get_queryset(request)
            .annotate(amount=Sum("lines__debit", default=ZERO))
        )

    @admin.display(description="amount", ordering="amount")
    def amount(self, entry: JournalEntry) -> Decimal:
        return entry.amount  # type: ignore[attr-defined]

    @admin.display(description="reversed")
    def reversed_on(self, entry: JournalEntry) -> str:
        reversal = getattr(entry, "reversed_by", None)
        return str(reversal.entry_date) if reversal else ""

    def has_reverse_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounting.add_journalentry")

    @admin.action(description="Reverse selected entries", permissions=["reverse"])
    def reverse_entries(self, request: HttpRequest, queryset):
        """Ask for a reason, then post a reversal of each entry selected."""
        form = ReverseEntryForm(request.POST if "apply" in request.POST else None)
        to_reverse = list(queryset.filter(reversed_by__isnull=True))
        if form.is_valid():
            self._reverse(request, to_reverse, form.cleaned_data["reason"])
            skipped = len(queryset) - len(to_reverse)
            if skipped:
                self.message_user(
                    request,
                    f"{skipped} entries were already reversed and were left "
                    "as they were.",
                    messages.WARNING,
                )
            return None

        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Reverse journal entries",
            "form": form,
            "entries": to_reverse,
            "already_reversed": queryset.filter(reversed_by__isnull=False),
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(
            request, "admin/accounting/journalentry/reverse_entries.html", context
        )

    def _reverse(self, request: HttpRequest, entries, reason: str) -> None:
        with transaction.atomic():
            for entry in entries:
                reverse_entry(entry=entry, reason=reason, user=request.user)
        self.message_user(
            request, f"Reversed {len(entries)} entries: {reason}", messages.SUCCESS
        )


@admin.register(JournalLine)
class JournalLineAdmin(ReadOnlyAdmin):
    list_display = [
        "entry_date",
        "entry",
        "account",
        "debit",
        "credit",
        "memo",
        "tax_code",
        "province",
    ]
    list_filter = ["account", "entry__entry_date", "entry__kind"]
    search_fields = ["memo", "entry__description", "entry__event_key"]
    list_select_related = ["entry", "account"]

    @admin.display(description="date", ordering="entry__entry_date")
    def entry_date(self, line: JournalLine):
        return line.entry.entry_date
