"""Get Rates (rate-v4): the mailing-scenario request and price-quotes."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .xmltools import (
    RATE_NS,
    add,
    element,
    find_all,
    find_text,
    format_dimension,
    format_postal_code,
    format_weight,
    parse,
    serialize,
    to_decimal,
)

MAX_WEIGHT_KG = Decimal("99.999")
MAX_DIMENSION_CM = Decimal("999.9")


@dataclass(frozen=True)
class CanadaPostParcel:
    """One parcel as Canada Post rates it: kilograms and centimetres."""

    weight_kg: Decimal
    length_cm: Decimal
    width_cm: Decimal
    height_cm: Decimal


@dataclass(frozen=True)
class RateQuote:
    """The price and delivery standard of one service for one parcel.

    `due_amount` is what Canada Post charges: base, options, adjustments
    and `taxes_amount` (GST, PST and HST together).
    """

    service_code: str
    service_name: str
    due_amount: Decimal
    base_amount: Decimal
    taxes_amount: Decimal
    transit_days: int | None
    delivery_date: date | None

    @property
    def pre_tax_amount(self) -> Decimal:
        """Price before GST, PST and HST."""
        return self.due_amount - self.taxes_amount


def check_parcel(parcel: CanadaPostParcel) -> None:
    """Raise ValueError naming a weight or side Canada Post rejects."""
    if not Decimal(0) < parcel.weight_kg <= MAX_WEIGHT_KG:
        raise ValueError(
            f"Invalid parcel weight {parcel.weight_kg} kg: Canada Post rates "
            f"parcels over 0 and up to {MAX_WEIGHT_KG} kg."
        )
    for name in ("length_cm", "width_cm", "height_cm"):
        value = getattr(parcel, name)
        if not Decimal(0) < value <= MAX_DIMENSION_CM:
            raise ValueError(
                f"Invalid parcel {name.removesuffix('_cm')} {value} cm: enter "
                f"a size over 0 and up to {MAX_DIMENSION_CM} cm."
            )


def build_rate_request(
    *,
    customer_number: str,
    contract_id: str,
    parcel: CanadaPostParcel,
    origin_postal_code: str,
    destination_postal_code: str,
    mailing_date: date | None = None,
) -> bytes:
    """Build a domestic mailing-scenario document.

    Raises ValueError for an invalid parcel or postal code.
    """
    check_parcel(parcel)
    origin = format_postal_code(origin_postal_code)
    destination = format_postal_code(destination_postal_code)

    root = element(RATE_NS, "mailing-scenario")
    if customer_number:
        add(root, "customer-number", customer_number)
    if contract_id:
        add(root, "contract-id", contract_id)
    if mailing_date:
        add(root, "expected-mailing-date", mailing_date.isoformat())
    characteristics = add(root, "parcel-characteristics")
    add(characteristics, "weight", format_weight(parcel.weight_kg))
    dimensions = add(characteristics, "dimensions")
    add(dimensions, "length", format_dimension(parcel.length_cm))
    add(dimensions, "width", format_dimension(parcel.width_cm))
    add(dimensions, "height", format_dimension(parcel.height_cm))
    add(root, "origin-postal-code", origin)
    domestic = add(add(root, "destination"), "domestic")
    add(domestic, "postal-code", destination)
    return serialize(root)


def parse_price_quotes(body: bytes) -> list[RateQuote]:
    """Parse a price-quotes document into quotes, in Canada Post's order."""
    root = parse(body)
    return [_quote(node) for node in find_all(root, "price-quote", RATE_NS)]


def _quote(node: ET.Element) -> RateQuote:
    taxes = sum(
        (
            to_decimal(find_text(node, f"price-details/taxes/{tax}", RATE_NS))
            for tax in ("gst", "pst", "hst")
        ),
        Decimal("0.00"),
    )
    transit = find_text(node, "service-standard/expected-transit-time", RATE_NS)
    delivery = find_text(node, "service-standard/expected-delivery-date", RATE_NS)
    return RateQuote(
        service_code=find_text(node, "service-code", RATE_NS),
        service_name=find_text(node, "service-name", RATE_NS),
        due_amount=to_decimal(find_text(node, "price-details/due", RATE_NS)),
        base_amount=to_decimal(find_text(node, "price-details/base", RATE_NS)),
        taxes_amount=taxes,
        transit_days=int(transit) if transit else None,
        delivery_date=date.fromisoformat(delivery) if delivery else None,
    )
