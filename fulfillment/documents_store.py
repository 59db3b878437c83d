"""Render shipment documents from the database and store them."""

from collections.abc import Sequence

from django.core.files.base import ContentFile

from .documents import render_packing_slips
from .models import Shipment
from .slip_data import packing_slip_for


def store_packing_slip(*, shipment_id: int) -> str:
    """Render a shipment's packing slip and save it as packing_slip_pdf.

    The old file is replaced under the same name, so a second render
    leaves one file. Returns the stored file's name.
    """
    shipment = Shipment.objects.select_related("order").get(pk=shipment_id)
    pdf = render_packing_slips([packing_slip_for(shipment)])
    if shipment.packing_slip_pdf:
        shipment.packing_slip_pdf.delete(save=False)
    shipment.packing_slip_pdf.save(
        f"{shipment.number}.pdf", ContentFile(pdf), save=False
    )
    # An update, not save(): save() would insert the row again if the
    # shipment was deleted meanwhile.
    Shipment.objects.filter(pk=shipment.pk).update(
        packing_slip_pdf=shipment.packing_slip_pdf.name
    )
    return shipment.packing_slip_pdf.name


def packing_slips_pdf(shipments: Sequence[Shipment]) -> bytes:
    """Render the packing slips of `shipments` as one PDF, one per page.

    Raises ValueError when `shipments` is empty.
    """
    return render_packing_slips([packing_slip_for(shipment) for shipment in shipments])
