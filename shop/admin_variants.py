"""Admin forms of variants: a SKU must be unique ignoring letter case."""

from django import forms
from django.forms.models import BaseInlineFormSet

from .skus import find_variant_with_sku


def sku_in_use_message(sku: str, existing_sku: str) -> str:
    """Return the error for a SKU that matches `existing_sku` ignoring case."""
    return (
        f"SKU '{sku}' is already in use: variant '{existing_sku}' has it in "
        "other letter case, and SKUs are matched ignoring case. Use "
        f"'{existing_sku}' to change that variant, or choose another SKU."
    )


class VariantAdminForm(forms.ModelForm):
    # The admin builds the Meta with its own model and fields.

    def clean_sku(self) -> str:
        sku = self.cleaned_data["sku"]
        existing = find_variant_with_sku(sku, exclude_pk=self.instance.pk)
        # Equal SKUs are reported by Django's own unique check.
        if existing is not None and existing.sku != sku:
            raise forms.ValidationError(
                sku_in_use_message(sku, existing.sku), code="unique"
            )
        return sku


class VariantInlineFormSet(BaseInlineFormSet):
    """A product's variant rows, whose SKUs must differ from each other
    ignoring letter case. Each form checks its SKU against the database."""

    def clean(self) -> None:
        super().clean()
        first_forms: dict[str, forms.Form] = {}
        for form in self.forms:
            sku = getattr(form, "cleaned_data", {}).get("sku")
            if not sku or self._should_delete_form(form):
                continue

            # Equal SKUs are reported by Django's own unique check.
            first_form = first_forms.setdefault(sku.lower(), form)
            first = first_form.cleaned_data["sku"]
            if first != sku:
                form.add_error("sku", sku_in_use_message(sku, first))
