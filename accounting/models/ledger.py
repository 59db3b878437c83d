"""The double-entry ledger: chart of accounts and journal entries."""

from django.conf import settings
from django.db import models

from shop.money import MoneyField


class Account(models.Model):
    """An account of the chart of accounts.

    `key` names the role an account plays in the posting rules
    ("stripe_clearing", "gst_hst_payable"), so staff may rename or renumber
    accounts without breaking them.
    """

    class Type(models.TextChoices):
        ASSET = "asset", "Asset"
        LIABILITY = "liability", "Liability"
        EQUITY = "equity", "Equity"
        REVENUE = "revenue", "Revenue"
        EXPENSE = "expense", "Expense"

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=10, choices=Type.choices)
    key = models.SlugField(
        max_length=50,
        unique=True,
        null=True,
        blank=True,
        help_text="Role in the posting rules; empty for accounts added by staff.",
    )
    province = models.CharField(
        max_length=2, blank=True, help_text="For a provincial sales tax account."
    )
    description = models.TextField(blank=True)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_debit_normal(self) -> bool:
        """Whether a debit increases the account's balance."""
        return self.type in (self.Type.ASSET, self.Type.EXPENSE)


class JournalEntry(models.Model):
    """A balanced set of debits and credits posted for one business event.

    Never edited once posted: a correction is a new entry that reverses it.
    `event_key` makes each event post exactly once.
    """

    class Kind(models.TextChoices):
        SALE = "sale", "Sale"
        PROCESSOR_FEE = "processor_fee", "Processor fee"
        PAYOUT = "payout", "Payout"
        STOCK = "stock", "Stock movement"
        REFUND = "refund", "Refund"
        SUPPLIER_BILL = "supplier_bill", "Supplier bill"
        BILL_PAYMENT = "bill_payment", "Bill payment"
        REVERSAL = "reversal", "Reversal"
        MANUAL = "manual", "Manual"

    event_key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    entry_date = models.DateField(
        db_index=True, help_text="The business day, in the shop's time zone."
    )
    description = models.CharField(max_length=255)
    posted_at = models.DateTimeField(auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )

    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT
    )
    payment = models.ForeignKey(
        "orders.Payment", null=True, blank=True, on_delete=models.PROTECT
    )
    refund = models.ForeignKey(
        "orders.Refund", null=True, blank=True, on_delete=models.PROTECT
    )
    invoice = models.ForeignKey(
        "accounting.Invoice", null=True, blank=True, on_delete=models.PROTECT
    )
    credit_note = models.ForeignKey(
        "accounting.CreditNote", null=True, blank=True, on_delete=models.PROTECT
    )
    stock_movement = models.ForeignKey(
        "inventory.StockMovement", null=True, blank=True, on_delete=models.PROTECT
    )
    supplier_bill = models.ForeignKey(
        "accounting.SupplierBill", null=True, blank=True, on_delete=models.PROTECT
    )
    payout = models.ForeignKey(
        "accounting.Payout", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["-entry_date", "-id"]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"{self.entry_date} {self.description}"


class JournalLine(models.Model):
    """One debit or one credit of a journal entry."""

    entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, related_name="lines"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    debit = MoneyField(default=0)
    credit = MoneyField(default=0)
    memo = models.CharField(max_length=255, blank=True)
    tax_code = models.CharField(
        max_length=10, blank=True, help_text="GST, HST, PST, RST or QST on tax lines."
    )
    province = models.CharField(
        max_length=2, blank=True, help_text="Province the tax was charged for."
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(debit__gte=0, credit__gte=0),
                name="journal_line_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(debit__gt=0, credit=0) | models.Q(debit=0, credit__gt=0)
                ),
                name="journal_line_debit_or_credit",
            ),
        ]

    def __str__(self) -> str:
        side = f"Dr {self.debit}" if self.debit else f"Cr {self.credit}"
        return f"{self.account.code} {side}"
