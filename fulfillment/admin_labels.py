"""Shipment admin actions and links for labels, manifests and stored PDFs.

Mixed into fulfillment.admin.ShipmentAdmin, which routes document_view.
The actions are thin adapters over fulfillment.labels and
fulfillment.manifests.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import format_html

from shipping.canadapost import CanadaPostException
from shop.downloads import document_response

from . import labels, manifests
from .models import Shipment
from .parcels import LabelInputError

# The stored PDFs a shipment's change page links to, by URL name: the file
# field and what staff do when it is empty. They are served through the
# admin so that only staff with fulfillment.view_shipment can read them.
SHIPMENT_DOCUMENTS = {
    "label": ("label_pdf", "buy one with the “Buy labels” action"),
    "packing_slip": (
        "packing_slip_pdf",
        "it is stored within minutes of the shipment being planned; until then "
        "use the “Print packing slips” action",
    ),
}


class LabelAdminMixin:
    """Label, manifest and PDF download actions for ShipmentAdmin."""

    @admin.display(description="Label")
    def label_download(self, shipment: Shipment) -> str:
        return _document_link(shipment, "label", "Download label (PDF)")

    @admin.display(description="Packing slip")
    def packing_slip_download(self, shipment: Shipment) -> str:
        return _document_link(shipment, "packing_slip", "Download packing slip (PDF)")

    @admin.action(description="Void label")
    def void_labels(self, request, queryset):
        for shipment in queryset.order_by("created_at", "pk"):
            try:
                labels.void_label(shipment_id=shipment.pk, user=request.user)
            except LabelInputError as error:
                self.message_user(request, str(error), messages.ERROR)
            except CanadaPostException as error:
                self.message_user(
                    request,
                    f"The label of shipment {shipment.number} was not voided and "
                    f"nothing changed: {error} If it keeps failing, void it in the "
                    f"Canada Post account.",
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    f"Label voided: shipment {shipment.number}.",
                    messages.SUCCESS,
                )

    @admin.action(description="Transmit and get manifest")
    def transmit_contract_shipments(self, request, queryset):
        try:
            paths = manifests.transmit_contract_shipments(shipments=list(queryset))
        except LabelInputError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        except CanadaPostException as error:
            self.message_user(
                request, f"Transmit to Canada Post failed: {error}", messages.ERROR
            )
            return None
        self.message_user(
            request,
            f"Transmitted to Canada Post. Manifests stored: {', '.join(paths)}.",
            messages.SUCCESS,
        )
        if len(paths) != 1:
            return None
        return document_response(
            default_storage.open(paths[0], "rb"),
            filename=paths[0].removeprefix("manifests/"),
            as_attachment=False,
        )

    def document_view(
        self, request: HttpRequest, shipment_id: int, document: str
    ) -> HttpResponse:
        """Send a shipment's stored label or packing slip PDF."""
        shipment = get_object_or_404(Shipment, pk=shipment_id)
        if not self.has_view_permission(request, shipment):
            raise PermissionDenied
        if document not in SHIPMENT_DOCUMENTS:
            raise Http404(f"Shipments have no document named {document!r}.")
        field_name, hint = SHIPMENT_DOCUMENTS[document]
        name = document.replace("_", " ")
        stored = getattr(shipment, field_name)
        if not stored:
            message = f"Shipment {shipment.number} has no {name}: {hint}."
            self.message_user(request, message, messages.ERROR)
            return redirect("admin:fulfillment_shipment_change", shipment.pk)
        try:
            pdf = stored.open("rb")
        except FileNotFoundError:
            message = (
                f"The {name} file {stored.name} of shipment {shipment.number} is "
                f"missing from MEDIA_ROOT. Restore it from a backup."
            )
            self.message_user(request, message, messages.ERROR)
            return redirect("admin:fulfillment_shipment_change", shipment.pk)
        filename = f"{document.replace('_', '-')}-{shipment.number}.pdf"
        # Inline, so that the browser opens the label ready to print.
        return document_response(pdf, filename=filename, as_attachment=False)


def _document_link(shipment: Shipment, document: str, text: str) -> str:
    field_name, _ = SHIPMENT_DOCUMENTS[document]
    if not getattr(shipment, field_name):
        return "-"
    url = reverse(
        "admin:fulfillment_shipment_document",
        kwargs={"shipment_id": shipment.pk, "document": document},
    )
    return format_html('<a href="{}">{}</a>', url, text)
