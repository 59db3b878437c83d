"""Bills from suppliers, for goods or expenses, and their payments."""

from django.conf import settings
from django.db import models

from shop.money import MoneyField

from .ledger import Account


class SupplierBill(models.Model):
    """A supplier's invoice to the shop, entered by staff."""

    supplier = models.ForeignKey(
        "inventory.Supplier", on_delete=models.PROTECT, related_name="bills"
    )
    supplier_invoice_number = models.CharField(max_length=64)
    bill_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    subtotal_amount = MoneyField(help_text="Before tax.")
    gst_hst_amount = MoneyField(
        default=0, help_text="GST/HST charged, claimed as an input tax credit."
    )
    total_amount = MoneyField()
    paid_amount = MoneyField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-bill_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "supplier_invoice_number"],
                name="supplier_bill_unique_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} {self.supplier_invoice_number}"

    @property
    def balance_due(self):
        return self.total_amount - self.paid_amount


class SupplierBillLine(models.Model):
    """One line of a bill: an expense account, or goods received.

    Goods lines point at the stock movement that received them, so the bill
    clears goods received not billed instead of debiting inventory twice.
    """

    bill = models.ForeignKey(
        SupplierBill, on_delete=models.CASCADE, related_name="lines"
    )
    description = models.CharField(max_length=255)
    expense_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt = models.ForeignKey(
        "inventory.StockMovement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bill_lines",
        help_text="The receipt of goods this line bills.",
    )
    quantity = models.PositiveIntegerField(default=1)
    amount = MoneyField(help_text="Net amount of the line, before tax.")
    stock_value_change = MoneyField(
        default=0,
        help_text=(
            "Part of the difference between the billed amount and the "
            "receipt's value that was added to (or taken from) the value of "
            "the units still on hand; the rest went to cost of goods sold."
        ),
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt"], name="supplier_bill_line_receipt_billed_once"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(expense_account__isnull=False, receipt__isnull=True)
                    | models.Q(expense_account__isnull=True, receipt__isnull=False)
                ),
                name="supplier_bill_line_expense_or_goods",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class SupplierBillPayment(models.Model):
    """A payment of a supplier bill from the bank account."""

    bill = models.ForeignKey(
        SupplierBill, on_delete=models.PROTECT, related_name="payments"
    )
    paid_on = models.DateField()
    amount = MoneyField()
    reference = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-id"]

    def __str__(self) -> str:
        return f"{self.bill}: {self.amount} on {self.paid_on}"
