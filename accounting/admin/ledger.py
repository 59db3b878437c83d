"""Back-office screens for the chart of accounts and the journal.

Posted entries are never edited: staff read them here and correct one by
reversing it (an action that posts the mirror entry with a reason).
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template.response import TemplateResponse

from accounting.ledger import reverse_entry
from accounting.models import Account, JournalEntry, JournalLine
from orders.admin_search import parse_order_number
from shop.admin_pagination import DeferredJoinPaginator

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
    # Non-empty so the search box shows. search_entries does the search.
    search_fields = ["description"]
    search_help_text = (
        "Order number, event key (exact, such as sale:order:42), or part of "
        "the description."
    )
    list_select_related = ["reversed_by"]
    # Counting only the filtered rows saves a second COUNT(*) per page.
    show_full_result_count = False
    # Sums the debits and joins the reversal for the page's rows only.
    paginator = DeferredJoinPaginator
    inlines = [JournalLineInline]
    actions = ["reverse_entries"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[JournalEntry]:
        # A subquery per entry shown, where a join with GROUP BY summed the
        # lines of every entry before the page was cut (a second per page
        # at 100,000 entries, docs/benchmarks.md).
        debits = (
            JournalLine.objects.filter(entry=OuterRef("pk"))
            .order_by()
            .values("entry")
            .annotate(total=Sum("debit"))
            .values("total")
        )
        money = DecimalField(max_digits=12, decimal_places=2)
        return (
            super()
            .get_queryset(request)
            .annotate(amount=Coalesce(Subquery(debits, output_field=money), ZERO))
        )

    def get_search_results(self, request, queryset, search_term):
        return search_entries(queryset, search_term), False

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


def search_entries(
    queryset: QuerySet[JournalEntry], term: str
) -> QuerySet[JournalEntry]:
    """Filter entries by order number, exact event key or description text.

    An order number goes through the orders' number index and an event key
    through its unique index. Only the description reads every entry.
    """
    term = term.strip()
    if not term:
        return queryset
    number = parse_order_number(term)
    if number is not None:
        return queryset.filter(order__number=number)
    return queryset.filter(Q(event_key=term) | Q(description__icontains=term))


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
