"""CSV import and export of customers from the admin.

A row's email finds its customer through shop.customers, trimmed and
regardless of case, so " Ann@Example.COM " updates the record of
ann@example.com and keeps the email as stored. An email the shop does not
have creates a customer through shop.customers.find_or_create_customer.
The name and phone columns replace the stored values.

marketing_consent is yes or no. A change is recorded through
shop.consent with the source "CSV import" and the time of the import,
because the file is the evidence of the decision. A cell that repeats the
customer's current state changes nothing, so the date of the earlier
decision stays, and an empty cell leaves consent as it is.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from .consent import CONSENT_FIELDS, apply_marketing_consent
from .csv_resources import CsvResource
from .customers import find_customer_by_email, find_or_create_customer
from .import_cells import CellField, TextWidget, YesNoWidget, cell_text
from .models import ConsentSource, Customer


class EmailWidget(TextWidget):
    def __init__(self):
        super().__init__(max_length=254, required=True, example="like ann@example.com")

    def clean(self, value, row=None, **kwargs) -> str:
        email = super().clean(value, row, **kwargs)
        try:
            validate_email(email)
        except ValidationError:
            raise ValueError(
                f"'{email}' is not a valid email address; correct it, like "
                "ann@example.com"
            ) from None
        return email


class CustomerResource(CsvResource):
    """Customers by email, with their names, phone and marketing consent."""

    required_columns = ("email",)

    email = CellField("email", "email", EmailWidget())
    first_name = CellField("first_name", "first_name", TextWidget(max_length=100))
    last_name = CellField("last_name", "last_name", TextWidget(max_length=100))
    phone = CellField("phone", "phone", TextWidget(max_length=32))
    marketing_consent = CellField(
        "marketing_consent",
        "marketing_consent",
        YesNoWidget(blank=True),
        saves_null_values=False,
    )

    class Meta:
        model = Customer
        import_id_fields = ["email"]
        fields = ["email", "first_name", "last_name", "phone", "marketing_consent"]
        import_order = export_order = fields

    def before_import(self, dataset, **kwargs):
        self.import_time = timezone.now()
        super().before_import(dataset, **kwargs)

    def get_instance(self, instance_loader, row):
        return find_customer_by_email(cell_text(row.get("email")))

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # A matched customer keeps the email as stored.
        if field.column_name != "email" or instance.pk is None:
            super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        instance.saved_consent = instance.marketing_consent
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.message_dict
        email = cell_text(row.get("email"))
        repeated = self.repeated_key_error(email.lower(), f"email '{email}'", kwargs)
        if repeated:
            errors.setdefault("email", []).append(repeated)
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        consent = instance.marketing_consent
        instance.marketing_consent = instance.saved_consent
        consent_changed = consent != instance.saved_consent
        if consent_changed:
            apply_marketing_consent(
                instance,
                consent=consent,
                source=ConsentSource.IMPORT,
                decided_at=self.import_time,
            )
        if not is_create:
            instance.save()
            return

        customer = find_or_create_customer(
            email=instance.email,
            first_name=instance.first_name,
            last_name=instance.last_name,
            phone=instance.phone,
        )
        instance.pk, instance.created_at = customer.pk, customer.created_at
        instance._state.adding = False
        if consent_changed:
            instance.save(update_fields=[*CONSENT_FIELDS, "updated_at"])

    def filter_export(self, queryset, **kwargs):
        # The shared walk-in record of counter sales has no email, the key
        # of every row, so it is left out and a re-imported export matches.
        return queryset.exclude(email="").order_by("email")
