from django.db import models

from orders.models import Order
from shop.money import MoneyField


def invoice_upload_path(invoice: "Invoice", filename: str) -> str:
    return f"invoices/{invoice.issued_at:%Y/%m}/invoice-{invoice.number}.pdf"


class Invoice(models.Model):
    """The tax invoice for an order, numbered without gaps when issued."""

    number = models.PositiveBigIntegerField(unique=True)
    order = models.OneToOneField(
        Order, on_delete=models.PROTECT, related_name="invoice"
    )
    issued_at = models.DateTimeField()
    subtotal_amount = MoneyField()
    shipping_amount = MoneyField()
    tax_amount = MoneyField()
    total_amount = MoneyField()
    paid_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to=invoice_upload_path, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    email_attempts = models.PositiveIntegerField(default=0)
    last_email_error = models.TextField(blank=True)
    email_claimed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A worker is sending the email; others leave it alone until then.",
    )

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Invoice {self.number}"

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None


def credit_note_upload_path(credit_note: "CreditNote", filename: str) -> str:
    issued = credit_note.issued_at
    return f"credit-notes/{issued:%Y/%m}/credit-note-{credit_note.number}.pdf"


class CreditNote(models.Model):
    """A document that gives back part or all of an invoice, numbered without
    gaps in its own series.

    Amounts are positive: they are what the customer gets back.
    """

    number = models.PositiveBigIntegerField(unique=True)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="credit_notes"
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="credit_notes"
    )
    refund = models.OneToOneField(
        "orders.Refund",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_note",
    )
    issued_at = models.DateTimeField()
    reason = models.CharField(max_length=255, blank=True)
    restocked = models.BooleanField(
        default=False, help_text="Whether the returned items went back into stock."
    )
    subtotal_amount = MoneyField()
    shipping_amount = MoneyField()
    tax_amount = MoneyField()
    total_amount = MoneyField()
    pdf = models.FileField(upload_to=credit_note_upload_path, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    email_attempts = models.PositiveIntegerField(default=0)
    last_email_error = models.TextField(blank=True)
    email_claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_amount__gt=0),
                name="credit_note_total_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Credit note {self.number}"


class CreditNoteLine(models.Model):
    """Goods credited on a credit note; shipping is credited on the note."""

    credit_note = models.ForeignKey(
        CreditNote, on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="credit_lines"
    )
    quantity = models.PositiveIntegerField(
        default=0, help_text="Units returned; 0 for a price-only credit."
    )
    amount = MoneyField(help_text="Net amount credited, before tax.")
    tax_amount = MoneyField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.order_line.sku}: {self.amount}"


class CreditNoteTax(models.Model):
    """One tax component given back on a credit note."""

    credit_note = models.ForeignKey(
        CreditNote, on_delete=models.CASCADE, related_name="taxes"
    )
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=50)
    rate = models.DecimalField(max_digits=7, decimal_places=5)
    amount = MoneyField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_note", "code"], name="credit_note_tax_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"
