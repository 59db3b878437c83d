"""Buying shipping labels: Canada Post's when configured, else the shop's own.

A purchase runs in three steps so that a label is never paid for twice:
1. In a transaction, lock the shipment, check and pack it, and set
   `label_requested_at`.
2. Outside any transaction, call Canada Post (or render the shop's label).
3. In a transaction, store the label, mark the shipment LABELLED and post
   its cost.
A crash during step 2 leaves `label_requested_at` set, and buy_label
refuses to start again until staff check the Canada Post account and clear
it in the shipment's admin form.
"""

import logging
import re
from dataclasses import dataclass
from decimal import Decimal

import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounting.posting.shipping import post_label_cost, reverse_label_cost
from shipping.canadapost import (
    Address,
    CanadaPostClient,
    CanadaPostError,
    CanadaPostParcel,
    CanadaPostUnavailable,
    CreatedShipment,
    ShipmentRequest,
)
from shipping.parcels import ParcelItem, billable_weight_kg
from shipping.rates import rate_table

from .documents import ShippingLabel, render_label
from .models import Shipment
from .parcels import LabelInputError, PackedShipment, check_address, pack_shipment
from .slip_data import ship_to_lines

logger = logging.getLogger(__name__)

CANADA_POST = "canadapost"
SHOP_LABEL = "shop"
LABEL_STATUSES = (Shipment.Status.READY, Shipment.Status.PACKED)

# The group every contract shipment is created in. Transmit Shipments
# hands over every shipment of a group not yet transmitted, so one group
# makes the end-of-day transmit cover all labels bought since the last one.
# NOTE: this relies on Canada Post accepting new shipments in a group id
# that was transmitted before.
CONTRACT_GROUP_ID = "ledgerfront"

# A contract shipment's own link, which void_shipment deletes. A contract
# label stores it in label_refund_link; a non-contract label stores its
# .../ncshipment/<id>/refund link there.
CONTRACT_SHIPMENT_LINK = re.compile(r"/rs/\d+/\d+/shipment/\d+$")


class LabelUnavailable(Exception):
    """Canada Post could not be reached and nothing was bought: retry later."""


@dataclass(frozen=True)
class BoughtLabel:
    """The result of a purchase, ready to store on the shipment."""

    carrier: str
    tracking_number: str
    pdf: bytes
    cost_amount: Decimal
    tax_amount: Decimal
    carrier_shipment_id: str = ""
    refund_link: str = ""


def canada_post_configured() -> bool:
    return all(
        getattr(settings, f"CANADAPOST_{name}", "")
        for name in ("USERNAME", "PASSWORD", "CUSTOMER_NUMBER")
    )


def is_contract_label(shipment: Shipment) -> bool:
    """Tell whether a shipment's label is a Canada Post contract shipment."""
    return shipment.carrier == CANADA_POST and bool(
        CONTRACT_SHIPMENT_LINK.search(shipment.label_refund_link)
    )


def label_carrier() -> str:
    """Return the carrier that labels bought now come from."""
    return CANADA_POST if canada_post_configured() else SHOP_LABEL


def estimate_label_cost(shipment: Shipment, *, order_shipments: int) -> Decimal | None:
    """Estimate, before tax, what buying a shipment's label would cost.

    A Canada Post label is estimated at the shipping the order's checkout
    quote stored, which priced all of the order's parcels, so only when
    `order_shipments` (the order's shipments not cancelled) is 1. The
    shop's own label is priced from the rate table as the purchase would
    price it. Returns None when there is no estimate, including for a
    shipment the purchase would reject. Reads only.
    """
    if label_carrier() == CANADA_POST:
        return shipment.order.shipping_amount if order_shipments == 1 else None
    try:
        service_code, _name = _service(shipment)
        packed = pack_shipment(shipment, service_code=service_code)
        parcel = ParcelItem(
            weight_g=packed.weight_g,
            length_cm=packed.length_cm,
            width_cm=packed.width_cm,
            height_cm=packed.height_cm,
            quantity=1,
        )
        return _rate_table_price(shipment, service_code, parcel)
    except LabelInputError:
        return None


def buy_label(*, shipment_id: int) -> Shipment | None:
    """Buy the label of a READY or PACKED shipment, once.

    Returns the LABELLED shipment, or None when there was nothing to buy or
    the purchase failed; the failure is saved in shipment.last_error and
    the shipment stays READY or PACKED. Raises LabelUnavailable when Canada
    Post could not be reached before anything was bought, so the task
    retries.
    Must not run inside a transaction: the carrier call happens between
    two of its own.
    """
    shipment = _start_purchase(shipment_id)
    if shipment is None:
        return None
    try:
        label = _buy(shipment)
    except (ValueError, CanadaPostError) as error:
        # ValueError covers LabelInputError and input the Canada Post client
        # rejects before sending it (an invalid postal code).
        _record_failure(shipment_id, str(error), purchase_ended=True)
        if isinstance(error, CanadaPostError) and _is_server_error(error):
            raise LabelUnavailable(str(error)) from error
        return None
    except LabelUnavailable as error:
        _record_failure(shipment_id, str(error), purchase_ended=True)
        raise
    except CanadaPostUnavailable as error:
        _record_failure(
            shipment_id, _unconfirmed_message(shipment), purchase_ended=False
        )
        logger.error("Label purchase unconfirmed: %s", error, extra=_ids(shipment))
        return None
    return _finish_purchase(shipment_id, label)


def void_label(*, shipment_id: int, user=None) -> Shipment:
    """Void an unused label and reverse its posted cost.

    A Canada Post non-contract label is refunded through
    request_non_contract_refund (Canada Post emails its decision to
    SHOP_EMAIL). A contract shipment is deleted with void_shipment, which
    Canada Post allows only before it is transmitted. The shop's own label
    is just dropped. The shipment goes back to PACKED or READY for a new
    label. Raises LabelInputError for a shipment that is not LABELLED, and
    CanadaPostException when the refund request fails (nothing changed).
    """
    shipment = Shipment.objects.select_related("order").get(pk=shipment_id)
    if shipment.status != Shipment.Status.LABELLED:
        raise LabelInputError(
            f"Shipment {shipment.number} is {shipment.get_status_display()}: "
            f"only a label not yet handed to the carrier can be voided."
        )
    if is_contract_label(shipment):
        client = CanadaPostClient.from_settings()
        client.void_shipment(shipment.label_refund_link, reference=shipment.number)
    elif shipment.carrier == CANADA_POST and shipment.label_refund_link:
        client = CanadaPostClient.from_settings()
        client.request_non_contract_refund(
            shipment.label_refund_link,
            email=settings.SHOP_EMAIL,
            reference=shipment.number,
        )

    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(pk=shipment_id)
        # NOTE: the cost is reversed when the refund is requested; Canada
        # Post may still refuse it, and staff then post the charge again.
        reverse_label_cost(shipment=shipment, reason="label voided")
        _clear_label(shipment)
    logger.info("Label voided", extra=_ids(shipment))
    return shipment


def _clear_label(shipment: Shipment) -> None:
    # TODO: fulfillment.services.ALLOWED_TRANSITIONS has no way back from
    # LABELLED; the status is set here until it gains one.
    packed = shipment.packed_at is not None
    shipment.status = Shipment.Status.PACKED if packed else Shipment.Status.READY
    shipment.labelled_at = None
    shipment.tracking_number = ""
    shipment.carrier_shipment_id = ""
    shipment.label_refund_link = ""
    shipment.label_cost_amount = None
    shipment.label_tax_amount = None
    shipment.label_pdf.delete(save=False)
    shipment.save()


def _start_purchase(shipment_id: int) -> Shipment | None:
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(pk=shipment_id)
        if shipment.status not in LABEL_STATUSES:
            return None
        if shipment.label_requested_at is not None:
            shipment.last_error = _interrupted_message(shipment)
            shipment.save(update_fields=["last_error"])
            return None
        try:
            service_code, service_name = _service(shipment)
            check_address(
                shipment, service_code=service_code, service_name=service_name
            )
            packed = pack_shipment(shipment, service_code=service_code)
        except LabelInputError as error:
            shipment.last_error = str(error)
            shipment.save(update_fields=["last_error"])
            logger.warning("Label not bought: %s", error, extra=_ids(shipment))
            return None
        _store_parcel(shipment, packed, service_code, service_name)
    return shipment


def _store_parcel(
    shipment: Shipment, packed: PackedShipment, service_code: str, service_name: str
) -> None:
    shipment.box = packed.box
    shipment.weight_g = packed.weight_g
    shipment.length_cm = packed.length_cm
    shipment.width_cm = packed.width_cm
    shipment.height_cm = packed.height_cm
    shipment.service_code = service_code
    shipment.service_name = service_name
    shipment.label_requested_at = timezone.now()
    shipment.last_error = ""
    shipment.save()


def _service(shipment: Shipment) -> tuple[str, str]:
    order = shipment.order
    code = shipment.service_code or order.shipping_method
    name = shipment.service_name or order.shipping_method_name or code
    if not code:
        raise LabelInputError(
            f"Shipment {shipment.number} has no shipping service. Set its "
            f"service code (for example DOM.EP) and buy the label again."
        )
    return code, name


def _buy(shipment: Shipment) -> BoughtLabel:
    if canada_post_configured():
        return _buy_from_canada_post(shipment)
    return _render_shop_label(shipment)


def _buy_from_canada_post(shipment: Shipment) -> BoughtLabel:
    client = CanadaPostClient.from_settings()
    parcel = _canada_post_parcel(shipment)
    order = shipment.order
    try:
        quotes = client.get_rates(
            parcel,
            origin_postal_code=settings.SHOP_ORIGIN_POSTAL_CODE,
            destination_postal_code=order.ship_postal_code,
            reference=shipment.number,
        )
    except CanadaPostUnavailable as error:
        raise LabelUnavailable(str(error)) from error
    quote = next((q for q in quotes if q.service_code == shipment.service_code), None)
    if quote is None:
        raise LabelInputError(
            f"Canada Post offers no {shipment.service_name} "
            f"({shipment.service_code}) to {order.ship_postal_code} for this "
            f"parcel. Choose another service for shipment {shipment.number}."
        )

    request = ShipmentRequest(
        service_code=shipment.service_code,
        sender=sender_address(),
        destination=_destination(shipment),
        parcel=parcel,
        reference=shipment.number,
    )
    try:
        created = _create_shipment(client, request, shipment)
    except CanadaPostUnavailable as error:
        if _never_connected(error):
            raise LabelUnavailable(str(error)) from error
        raise
    # TODO: when the artifact download fails after the purchase, the PIN
    # and cost are in the carrier call log but not on the shipment.
    pdf = client.get_artifact(created.label_url, reference=shipment.number)
    return BoughtLabel(
        carrier=CANADA_POST,
        tracking_number=created.tracking_pin,
        pdf=pdf,
        cost_amount=quote.pre_tax_amount,
        tax_amount=quote.taxes_amount,
        carrier_shipment_id=created.shipment_id,
        refund_link=created.self_url if client.contract_id else created.refund_url,
    )


def _create_shipment(
    client: CanadaPostClient, request: ShipmentRequest, shipment: Shipment
) -> CreatedShipment:
    if not client.contract_id:
        return client.create_non_contract_shipment(request, reference=shipment.number)
    # TODO: the cost stored is the rate quote's; the contract response's own
    # shipment-price is not parsed yet.
    return client.create_shipment(
        request, group_id=CONTRACT_GROUP_ID, reference=shipment.number
    )


def _render_shop_label(shipment: Shipment) -> BoughtLabel:
    tracking_number = f"LF{shipment.number}"
    pdf = render_label(
        ShippingLabel(
            sender=(settings.SHOP_NAME, *settings.SHOP_ADDRESS),
            recipient=ship_to_lines(shipment.order),
            service=shipment.service_name,
            weight_g=shipment.weight_g or 0,
            tracking_number=tracking_number,
            shipment_number=shipment.number,
        )
    )
    return BoughtLabel(
        carrier=SHOP_LABEL,
        tracking_number=tracking_number,
        pdf=pdf,
        cost_amount=_rate_table_cost(shipment),
        tax_amount=Decimal("0.00"),
    )


def _rate_table_cost(shipment: Shipment) -> Decimal:
    parcel = ParcelItem(
        weight_g=shipment.weight_g or 0,
        length_cm=shipment.length_cm or Decimal(0),
        width_cm=shipment.width_cm or Decimal(0),
        height_cm=shipment.height_cm or Decimal(0),
        quantity=1,
    )
    return _rate_table_price(shipment, shipment.service_code, parcel)


def _rate_table_price(shipment: Shipment, code: str, parcel: ParcelItem) -> Decimal:
    table = rate_table()
    if code not in table.service_names:
        raise LabelInputError(
            f"The rate table has no service {code!r}, so shipment "
            f"{shipment.number} cannot be priced. Use one of "
            f"{', '.join(sorted(table.service_names))}."
        )
    try:
        zone = table.zone_for(shipment.order.ship_province)
        return table.price(code, zone, billable_weight_kg([parcel], service=code))
    except ValueError as error:
        raise LabelInputError(str(error)) from None


def _finish_purchase(shipment_id: int, label: BoughtLabel) -> Shipment:
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(pk=shipment_id)
        shipment.carrier = label.carrier
        shipment.tracking_number = label.tracking_number
        shipment.carrier_shipment_id = label.carrier_shipment_id
        shipment.label_refund_link = label.refund_link
        shipment.label_cost_amount = label.cost_amount
        shipment.label_tax_amount = label.tax_amount
        shipment.label_pdf.save(
            f"{shipment.number}.pdf", ContentFile(label.pdf), save=False
        )
        # TODO: switch to fulfillment.services.mark_labelled once it is in.
        shipment.status = Shipment.Status.LABELLED
        shipment.labelled_at = timezone.now()
        shipment.label_requested_at = None
        shipment.last_error = ""
        shipment.save()
        post_label_cost(shipment=shipment)

    logger.info("Label bought", extra=_ids(shipment) | {"carrier": label.carrier})
    return shipment


def _record_failure(shipment_id: int, message: str, *, purchase_ended: bool) -> None:
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(pk=shipment_id)
        shipment.last_error = message
        fields = ["last_error"]
        if purchase_ended:
            shipment.label_requested_at = None
            fields.append("label_requested_at")
        shipment.save(update_fields=fields)
    logger.warning("Label not bought: %s", message, extra={"shipment_id": shipment_id})


def _canada_post_parcel(shipment: Shipment) -> CanadaPostParcel:
    return CanadaPostParcel(
        weight_kg=Decimal(shipment.weight_g or 0) / 1000,
        length_cm=shipment.length_cm or Decimal(0),
        width_cm=shipment.width_cm or Decimal(0),
        height_cm=shipment.height_cm or Decimal(0),
    )


def sender_address() -> Address:
    street, city_line = settings.SHOP_ADDRESS[0], settings.SHOP_ADDRESS[1]
    # SHOP_ADDRESS's second line reads "Halifax NS B3J 1Z7": the city is
    # what comes before the province code and postal code.
    match = re.match(r"^(.*?)\s+[A-Z]{2}\s+[A-Z]\d[A-Z]\s?\d[A-Z]\d$", city_line)
    return Address(
        name=settings.SHOP_NAME,
        company=settings.SHOP_NAME,
        address_line=street,
        city=match[1] if match else city_line,
        province=settings.SHOP_STORE_PROVINCE,
        postal_code=settings.SHOP_ORIGIN_POSTAL_CODE,
        phone=getattr(settings, "SHOP_PHONE", ""),
    )


def _destination(shipment: Shipment) -> Address:
    order = shipment.order
    # TODO: Address has one street line; line 2 (suite) is appended to it.
    street = " ".join(line for line in (order.ship_line1, order.ship_line2) if line)
    return Address(
        name=order.ship_name,
        company=order.ship_company,
        address_line=street,
        city=order.ship_city,
        province=order.ship_province,
        postal_code=order.ship_postal_code,
        phone=order.ship_phone,
    )


def _is_server_error(error: CanadaPostError) -> bool:
    return (error.status_code or 0) >= 500


def _never_connected(error: CanadaPostUnavailable) -> bool:
    """Tell whether a failed purchase surely reached no Canada Post server.

    An HTTP 5xx (no cause) or a connect timeout means nothing was created;
    a read timeout may have bought the label without a response.
    """
    cause = error.__cause__
    return cause is None or isinstance(cause, requests.ConnectTimeout)


def _unconfirmed_message(shipment: Shipment) -> str:
    return (
        f"Canada Post did not confirm the label for shipment {shipment.number}, "
        f"so it may have been bought. Look for reference {shipment.number} in "
        f"the Canada Post account before clearing 'label requested at' and "
        f"buying again."
    )


def _interrupted_message(shipment: Shipment) -> str:
    started = timezone.localtime(shipment.label_requested_at)
    return (
        f"A label purchase for shipment {shipment.number} started at "
        f"{started:%Y-%m-%d %H:%M} and did not finish. Look for reference "
        f"{shipment.number} in the Canada Post account before clearing "
        f"'label requested at' and buying again."
    )


def _ids(shipment: Shipment) -> dict[str, object]:
    return {"shipment_id": shipment.pk, "shipment_number": shipment.number}
