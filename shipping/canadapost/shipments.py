"""Shipment documents: non-contract (ncshipment-v4), contract (shipment-v8)
and manifests (manifest-v8)."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .rating import CanadaPostParcel, check_parcel
from .xmltools import (
    MANIFEST_NS,
    NCSHIPMENT_NS,
    SHIPMENT_NS,
    add,
    element,
    find_all,
    find_text,
    format_dimension,
    format_postal_code,
    format_weight,
    links,
    parse,
    serialize,
)


@dataclass(frozen=True)
class Address:
    """A Canadian address as printed on a label."""

    name: str
    address_line: str
    city: str
    province: str
    postal_code: str
    company: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ShipmentRequest:
    """The sender, recipient, service and box of a label to buy."""

    service_code: str
    sender: Address
    destination: Address
    parcel: CanadaPostParcel
    reference: str = ""


@dataclass(frozen=True)
class CreatedShipment:
    """A shipment Canada Post accepted, with the links to follow next."""

    shipment_id: str
    tracking_pin: str
    label_url: str
    refund_url: str
    self_url: str


@dataclass(frozen=True)
class Manifest:
    """A manifest: its PO number and the link to its printable PDF."""

    po_number: str
    artifact_url: str


def build_non_contract_shipment(request: ShipmentRequest) -> bytes:
    """Build a non-contract-shipment document (paid by the account's card)."""
    root = element(NCSHIPMENT_NS, "non-contract-shipment")
    add(root, "requested-shipping-point", _postal(request.sender))
    _add_delivery_spec(root, request, sender_country=False)
    return serialize(root)


def build_contract_shipment(
    request: ShipmentRequest, *, group_id: str, contract_id: str
) -> bytes:
    """Build a contract shipment document, to be transmitted with `group_id`.

    Without transmit-shipment the shipment waits for Transmit Shipments and
    a manifest, and can be voided until then.
    """
    root = element(SHIPMENT_NS, "shipment")
    add(root, "group-id", group_id)
    add(root, "requested-shipping-point", _postal(request.sender))
    spec = _add_delivery_spec(root, request, sender_country=True)
    settlement = add(spec, "settlement-info")
    add(settlement, "contract-id", contract_id)
    add(settlement, "intended-method-of-payment", "Account")
    return serialize(root)


def build_transmit_set(
    *, group_ids: list[str], shipping_point: str, manifest_address: Address
) -> bytes:
    """Build a transmit-set document for the groups ready for pick-up."""
    root = element(MANIFEST_NS, "transmit-set")
    groups = add(root, "group-ids")
    for group_id in group_ids:
        add(groups, "group-id", group_id)
    add(root, "requested-shipping-point", format_postal_code(shipping_point))
    add(root, "method-of-payment", "Account")
    address = add(root, "manifest-address")
    add(address, "manifest-company", manifest_address.company or manifest_address.name)
    add(address, "phone-number", manifest_address.phone)
    _add_address_details(address, manifest_address, country=False)
    return serialize(root)


def build_refund_request(namespace: str, root_tag: str, email: str) -> bytes:
    """Build a refund request: Canada Post emails its response to `email`."""
    root = element(namespace, root_tag)
    add(root, "email", email)
    return serialize(root)


def parse_created_shipment(body: bytes, namespace: str) -> CreatedShipment:
    """Parse shipment-info or non-contract-shipment-info."""
    root = parse(body)
    found = links(root, namespace)
    self_url = found.get("self", "")
    return CreatedShipment(
        shipment_id=find_text(root, "shipment-id", namespace),
        tracking_pin=find_text(root, "tracking-pin", namespace),
        label_url=found.get("label", ""),
        # The non-contract response has no refund link: the refund resource
        # sits under the shipment's own.
        refund_url=found.get("refund") or (f"{self_url}/refund" if self_url else ""),
        self_url=self_url,
    )


def parse_manifest_links(body: bytes) -> list[str]:
    """Return the rel="manifest" links of a Transmit Shipments response."""
    root = parse(body)
    return [
        link.get("href", "")
        for link in find_all(root, "link", MANIFEST_NS)
        if link.get("rel") == "manifest"
    ]


def parse_manifest(body: bytes) -> Manifest:
    """Parse a Get Manifest response."""
    root = parse(body)
    return Manifest(
        po_number=find_text(root, "po-number", MANIFEST_NS),
        artifact_url=links(root, MANIFEST_NS).get("artifact", ""),
    )


def parse_refund_ticket(body: bytes, namespace: str) -> str:
    """Return the service ticket id of a refund request response."""
    return find_text(parse(body), "service-ticket-id", namespace)


def _postal(address: Address) -> str:
    return format_postal_code(address.postal_code)


def _add_delivery_spec(
    root: ET.Element, request: ShipmentRequest, *, sender_country: bool
) -> ET.Element:
    check_parcel(request.parcel)
    spec = add(root, "delivery-spec")
    add(spec, "service-code", request.service_code)
    sender = add(spec, "sender")
    add(sender, "company", request.sender.company or request.sender.name)
    add(sender, "contact-phone", request.sender.phone)
    _add_address_details(sender, request.sender, country=sender_country)
    destination = add(spec, "destination")
    add(destination, "name", request.destination.name)
    if request.destination.company:
        add(destination, "company", request.destination.company)
    _add_address_details(destination, request.destination, country=True)
    _add_parcel(spec, request.parcel)
    preferences = add(spec, "preferences")
    add(preferences, "show-packing-instructions", "true")
    if request.reference:
        add(add(spec, "references"), "customer-ref-1", request.reference[:35])
    return spec


def _add_address_details(
    parent: ET.Element, address: Address, *, country: bool
) -> None:
    details = add(parent, "address-details")
    add(details, "address-line-1", address.address_line)
    add(details, "city", address.city)
    add(details, "prov-state", address.province.upper())
    if country:
        add(details, "country-code", "CA")
    add(details, "postal-zip-code", _postal(address))


def _add_parcel(spec: ET.Element, parcel: CanadaPostParcel) -> None:
    characteristics = add(spec, "parcel-characteristics")
    add(characteristics, "weight", format_weight(parcel.weight_kg))
    dimensions = add(characteristics, "dimensions")
    add(dimensions, "length", format_dimension(parcel.length_cm))
    add(dimensions, "width", format_dimension(parcel.width_cm))
    add(dimensions, "height", format_dimension(parcel.height_cm))
