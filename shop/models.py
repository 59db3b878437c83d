import secrets
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from localflavor.ca.ca_provinces import PROVINCE_CHOICES
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from .money import MoneyField, validate_not_negative

if TYPE_CHECKING:
    from inventory.selectors import Availability


class TaxClass(models.TextChoices):
    STANDARD = "standard", "Standard"
    PRINTED_BOOK = "printed_book", "Printed book"
    ZERO_RATED = "zero_rated", "Zero-rated"


class Category(MP_Node):
    """A node of the catalog tree, with default packaging for its products.

    The packaging values stand in for any product that has no weight or
    dimensions of its own.
    """

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=200, unique=True)
    default_weight_g = models.PositiveIntegerField(
        null=True, blank=True, help_text="Packed weight in grams."
    )
    default_length_cm = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True
    )
    default_width_cm = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True
    )
    default_height_cm = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True
    )

    node_order_by = ["name"]

    class Meta:
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("shop:category", kwargs={"slug": self.slug})


class Product(models.Model):
    """What a customer sees in the catalog: one page, one or more variants.

    A product sold in sizes or colours has a variant per combination; a
    simple product has one variant with the product's own SKU.
    """

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products"
    )
    sku = models.CharField("SKU", max_length=64, unique=True)
    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, unique=True)
    description = models.TextField(blank=True)
    tax_class = models.CharField(
        max_length=20, choices=TaxClass.choices, default=TaxClass.STANDARD
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    # Set by shop.selectors on storefront listings and product pages.
    availability: "Availability"
    active_variants: list["Variant"]

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="product_name_lower")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("shop:product", kwargs={"slug": self.slug})


class Variant(models.Model):
    """A sellable stock-keeping unit of a product."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="variants"
    )
    # Also unique ignoring case, by the variant_sku_unique constraint below.
    sku = models.CharField("SKU", max_length=64, unique=True)
    barcode = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.CharField(max_length=32, blank=True)
    colour = models.CharField(max_length=32, blank=True)
    price = MoneyField(
        help_text="Selling price in CAD, before tax.",
        validators=[validate_not_negative],
    )
    unit_cost = MoneyField(
        null=True,
        blank=True,
        help_text="What a unit costs the shop, used to value opening stock.",
    )
    weight_g = models.PositiveIntegerField(null=True, blank=True)
    length_cm = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True
    )
    width_cm = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True
    )
    height_cm = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    # Set by shop.selectors on product pages.
    availability: "Availability"

    class Meta:
        ordering = ["product_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="variant_price_not_negative"
            ),
            models.UniqueConstraint(
                Lower("sku"),
                name="variant_sku_unique",
                violation_error_message=(
                    "Another variant has this SKU in other letter case, and SKUs "
                    "are matched ignoring case; choose another SKU."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.option_label}".strip()

    @property
    def option_label(self) -> str:
        """Size and colour, as shown to customers ("M / Blue")."""
        return " / ".join(part for part in (self.size, self.colour) if part)


class ConsentSource(models.TextChoices):
    """Channel through which a customer gave or withdrew marketing consent."""

    CHECKOUT = "checkout", "Checkout"
    ACCOUNT = "account", "Customer account"
    SIGNUP_FORM = "signup_form", "Mailing-list sign-up form"
    IN_STORE = "in_store", "In store"
    STAFF = "staff", "Entered by staff"
    IMPORT = "import", "CSV import"
    UNSUBSCRIBE = "unsubscribe", "Unsubscribe link"


class Customer(models.Model):
    """One person who buys from the shop, online or in store.

    Emails are stored trimmed and compared without regard to case.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer",
    )
    email = models.EmailField()
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    marketing_consent = models.BooleanField(
        "accepts marketing email",
        default=False,
        help_text="Express consent to marketing email, as Canada's anti-spam "
        "law requires.",
    )
    marketing_consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When consent was last given or withdrawn."
    )
    marketing_consent_source = models.CharField(
        max_length=20, choices=ConsentSource.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="customer_email_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Address(models.Model):
    """A Canadian postal address kept for a customer."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="addresses"
    )
    name = models.CharField(max_length=200)
    company = models.CharField(max_length=200, blank=True)
    line1 = models.CharField("address", max_length=200)
    line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    province = models.CharField(max_length=2, choices=PROVINCE_CHOICES)
    postal_code = models.CharField(max_length=7)
    phone = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"{self.name}, {self.line1}, {self.city} {self.province}"


class Cart(models.Model):
    """A shopping cart, kept by session until login, then by user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cart",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Cart {self.pk}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cart", "variant"], name="cart_line_unique_variant"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="cart_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x variant {self.variant_id}"


class NumberSequence(models.Model):
    """A named counter for document numbers (orders, invoices, credit notes).

    Taking the next number locks the row, so numbers are unique and have no
    gaps as long as the caller's transaction commits.
    """

    name = models.CharField(max_length=50, primary_key=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_value}"


class EmailLog(models.Model):
    """Every email the shop tried to send, with its outcome."""

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    to = models.CharField(max_length=254, db_index=True)
    subject = models.CharField(max_length=255)
    kind = models.CharField(max_length=50, help_text="What the email is for.")
    reference = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="Order or document number."
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to} ({self.status})"


class StaffJob(models.Model):
    """A long back-office action run by a Celery worker, with its progress
    and the file it produces for the staff member who asked for it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=50, help_text="What the job makes.")
    title = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_jobs"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.TextField(
        blank=True, help_text="Current step, or why the job failed."
    )
    file = models.FileField(upload_to="staff-jobs/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"


class WebhookEvent(models.TextChoices):
    """Events other systems can subscribe to."""

    ORDER_PAID = "order.paid", "Order paid"
    ORDER_SHIPPED = "order.shipped", "Order shipped"
    STOCK_CHANGED = "stock.changed", "Stock changed"
    INVOICE_ISSUED = "invoice.issued", "Invoice issued"


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A URL of another system that receives signed event notifications."""

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(
        max_length=100,
        default=new_webhook_secret,
        help_text="Shared key the receiver checks signatures with.",
    )
    events = models.JSONField(default=list, help_text="Event types sent to this URL.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"


class WebhookDelivery(models.Model):
    """One event sent to one endpoint, with every attempt's outcome.

    A resend is a new delivery with the same event id, so a receiver that
    stores event ids processes the event once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=50, choices=WebhookEvent.choices)
    event_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    resend_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            # The retry sweep reads pending deliveries by due time; the
            # delivered and failed rows, nearly all of the log, stay out.
            models.Index(
                fields=["next_attempt_at", "created_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_pending_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.endpoint.name} ({self.status})"
