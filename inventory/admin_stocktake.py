"""The stocktake screen of the back office, at /admin/stocktake/.

Staff choose the variants to count (a category, with its subcategories, or
a list of SKUs), enter what is on the shelf and a reason, and the counts are
recorded by inventory.stocktake.record_stocktake. The admin has no model for
a stocktake, so the view is added to the admin site's URLs and to the
inventory section of its index by wrapping get_urls and get_app_list, as the
accounting reports do.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from shop.models import Category, Variant

from .models import Stock
from .stocktake import StocktakeError, record_stocktake

PERMISSION = "inventory.change_stock"
COUNT_PREFIX = "count_"


class StocktakeSelectionForm(forms.Form):
    """The variants to count: a category, or SKUs one per line or by comma."""

    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), required=False, empty_label="(any)"
    )
    skus = forms.CharField(
        label="SKUs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
        help_text="One SKU per line, or separated by commas.",
    )

    def clean(self):
        data = super().clean()
        if not data.get("category") and not self.sku_list():
            raise forms.ValidationError("Choose a category or enter SKUs to count.")
        unknown = set(self.sku_list()) - set(
            Variant.objects.filter(sku__in=self.sku_list()).values_list(
                "sku", flat=True
            )
        )
        if unknown:
            raise forms.ValidationError(
                f"No variant has SKU {', '.join(sorted(unknown))}; check the spelling."
            )
        return data

    def sku_list(self) -> list[str]:
        raw = self.cleaned_data.get("skus", "") if hasattr(self, "cleaned_data") else ""
        return [sku for sku in raw.replace(",", "\n").split() if sku]

    def variants(self) -> list[Variant]:
        variants = Variant.objects.select_related("product")
        category = self.cleaned_data.get("category")
        if category is not None:
            tree = Category.objects.get_tree(category)
            variants = variants.filter(product__category__in=tree)
        skus = self.sku_list()
        if skus:
            variants = variants.filter(sku__in=skus)
        return list(variants.order_by("sku"))


def stocktake_view(request: HttpRequest) -> HttpResponse:
    """Show the count sheet for the chosen variants, and record it on POST."""
    selection = StocktakeSelectionForm(request.GET or None)
    rows, reason, error = [], "", ""
    if selection.is_valid():
        rows = _count_rows(selection.variants(), request.POST)
    if request.method == "POST" and selection.is_valid():
        reason = request.POST.get("reason", "")
        counts, error = _parse_counts(rows)
        if not error:
            try:
                movements = record_stocktake(
                    counts=counts, reason=reason, user=request.user
                )
            except StocktakeError as refused:
                error = str(refused)
            else:
                messages.success(
                    request,
                    f"Stocktake recorded: {len(counts)} counted, "
                    f"{len(movements)} corrected.",
                )
                return redirect(request.get_full_path())
    context = {
        **admin.site.each_context(request),
        "title": "Stocktake",
        "selection": selection,
        "rows": rows,
        "reason": reason,
        "error": error,
    }
    return TemplateResponse(request, "admin/inventory/stocktake.html", context)


def _count_rows(variants: list[Variant], data) -> list[dict]:
    stocks = {
        stock.variant_id: stock for stock in Stock.objects.filter(variant__in=variants)
    }
    rows = []
    for variant in variants:
        stock = stocks.get(variant.pk)
        rows.append(
            {
                "variant": variant,
                "field": f"{COUNT_PREFIX}{variant.pk}",
                "on_hand": stock.quantity_on_hand if stock else 0,
                "allocated": stock.quantity_allocated if stock else 0,
                "entered": data.get(f"{COUNT_PREFIX}{variant.pk}", "").strip(),
            }
        )
    return rows


def _parse_counts(rows: list[dict]) -> tuple[dict[int, int], str]:
    counts, bad = {}, []
    for row in rows:
        if row["entered"] == "":
            continue
        try:
            counts[row["variant"].pk] = int(row["entered"])
        except ValueError:
            bad.append(f"{row['variant'].sku} ({row['entered']!r})")
    if bad:
        return {}, f"Counts must be whole numbers; correct {', '.join(bad)}."
    if not counts:
        return {}, "Enter at least one count; leave a row blank to skip it."
    return counts, ""


def install(site: admin.AdminSite) -> None:
    """Add the stocktake URL to `site` and a Stocktake link to its index."""
    site_get_urls = site.get_urls
    site_get_app_list = site.get_app_list

    def checked(request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return stocktake_view(request)

    def get_urls():
        view = site.admin_view(checked)
        return [path("stocktake/", view, name="inventory_stocktake"), *site_get_urls()]

    def get_app_list(request, app_label=None):
        app_list = site_get_app_list(request, app_label)
        if request.user.has_perm(PERMISSION):
            for app in app_list:
                if app["app_label"] == "inventory":
                    app["models"].append(_index_entry())
        return app_list

    site.get_urls = get_urls  # type: ignore[method-assign]
    site.get_app_list = get_app_list  # type: ignore[method-assign]


def _index_entry() -> dict:
    return {
        "name": "Stocktake",
        "object_name": "Stocktake",
        "perms": {"view": True},
        "admin_url": reverse("admin:inventory_stocktake"),
        "add_url": None,
        "view_only": True,
    }


install(admin.site)
