"""End of day for Canada Post contract shipping: transmit and manifest.

Contract shipments are created in labels.CONTRACT_GROUP_ID and wait there
until Transmit Shipments hands the group over for pick-up. Canada Post
then returns one manifest per pick-up, whose PDF the driver signs. Each
manifest PDF is stored under MEDIA_ROOT/manifests/<date>-<n>.pdf, and its
path is the reference of the CarrierCall that downloaded it.
"""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from shipping.canadapost import CanadaPostClient

from .labels import CONTRACT_GROUP_ID, is_contract_label, sender_address
from .models import Shipment
from .parcels import LabelInputError

logger = logging.getLogger(__name__)


def transmit_contract_shipments(*, shipments: list[Shipment]) -> list[str]:
    """Transmit the group of the labelled contract shipments, store manifests.

    Canada Post transmits every shipment of the group, including labelled
    contract shipments not in `shipments`. Returns the stored manifest
    paths. Raises LabelInputError, calling nothing, when no shipment is a
    labelled contract shipment, and CanadaPostException when a call fails.
    Calls Canada Post outside any transaction; shipment rows are unchanged.
    """
    labelled = [
        shipment
        for shipment in shipments
        if shipment.status == Shipment.Status.LABELLED and is_contract_label(shipment)
    ]
    if not labelled:
        raise LabelInputError(
            "None of the selected shipments has a Canada Post contract label "
            "waiting to be transmitted. Select labelled contract shipments."
        )
    client = CanadaPostClient.from_settings()
    links = client.transmit_shipments(
        group_ids=[CONTRACT_GROUP_ID],
        shipping_point=settings.SHOP_ORIGIN_POSTAL_CODE,
        manifest_address=sender_address(),
    )
    # TODO: a failure from here on leaves the group transmitted; the
    # manifest links are then only in the CarrierCall of the transmit.
    return [_store_manifest(client, link) for link in links]


def _store_manifest(client: CanadaPostClient, link: str) -> str:
    manifest = client.get_manifest(link)
    path = _next_manifest_path()
    pdf = client.get_artifact(manifest.artifact_url, reference=path)
    stored = default_storage.save(path, ContentFile(pdf))
    logger.info(
        "Manifest stored", extra={"po_number": manifest.po_number, "path": stored}
    )
    return stored


def _next_manifest_path() -> str:
    today = timezone.localdate().isoformat()
    number = 1
    while default_storage.exists(f"manifests/{today}-{number}.pdf"):
        number += 1
    return f"manifests/{today}-{number}.pdf"
