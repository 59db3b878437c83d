"""Shipping options for checkout: Canada Post's Get Rates, or the rate table.

With the CANADAPOST_USERNAME, CANADAPOST_PASSWORD and
CANADAPOST_CUSTOMER_NUMBER settings set, the cart's units are packed into
the active PackagingBox rows (shipping.packing) and Canada Post quotes each
box. A service is offered when it is quoted for every box, at the sum of its
pre-tax prices. Without those settings or a postal code, or when Canada Post
times out or cannot be reached, the rate table prices the cart as today
(shipping.rates).
"""

import logging
import math
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings

from shipping.canadapost import (
    CanadaPostClient,
    CanadaPostError,
    CanadaPostParcel,
    RateQuote,
    quote_rates_with_fallback,
)
from shipping.models import PackagingBox
from shipping.packing import Box, pack_items
from shipping.parcels import ParcelItem, pack_parcels
from shipping.rates import ShippingOption, quote_rates
from shop.models import CartLine

from .packaging import parcel_items

logger = logging.getLogger(__name__)

CREDENTIAL_SETTINGS = (
    "CANADAPOST_USERNAME",
    "CANADAPOST_PASSWORD",
    "CANADAPOST_CUSTOMER_NUMBER",
)
# Expedited Parcel ranks boxes and sizes the combined parcel, as it does for
# shipping.packing.pack_items.
PACKING_SERVICE = "DOM.EP"
GRAMS_PER_KG = Decimal(1000)


class ShippingQuoteError(ValueError):
    """Canada Post rejected the quote request; str() is for the customer."""


def quote_shipping(
    *, lines: Sequence[CartLine], province: str, postal_code: str
) -> list[ShippingOption]:
    """Quote every shipping service for cart lines, cheapest first.

    Calls Canada Post, one request per parcel, when its credentials are set
    and `postal_code` is given. Call it outside a database transaction: a
    request can wait up to CANADAPOST_TIMEOUT seconds. Raises
    ShippingQuoteError when Canada Post rejects the request, and ValueError
    for an unknown province, an invalid postal code or an invalid item.
    """
    items = parcel_items(lines)
    if not postal_code or not canadapost_configured():
        return _table_options(items, province, reason="no_canadapost_credentials")

    client = CanadaPostClient.from_settings(max_attempts=1)
    quotes_by_parcel = []
    for parcel in _parcels(items):
        quotes = _quote_parcel(client, parcel, province, postal_code)
        if quotes is None:
            return _table_options(items, province, reason="canadapost_unavailable")
        quotes_by_parcel.append(quotes)

    options = _combine(quotes_by_parcel)
    logger.info(
        "Shipping priced by Canada Post",
        extra={"source": "canadapost", "parcels": len(quotes_by_parcel)},
    )
    return options


def canadapost_configured() -> bool:
    """Return whether every Canada Post credential setting is non-empty."""
    return all(getattr(settings, name, "") for name in CREDENTIAL_SETTINGS)


def _table_options(
    items: list[ParcelItem], province: str, *, reason: str
) -> list[ShippingOption]:
    options = quote_rates(province=province, items=items)
    logger.info(
        "Shipping priced by the rate table",
        extra={"source": "rate_table", "reason": reason},
    )
    return options


def _quote_parcel(
    client: CanadaPostClient,
    parcel: CanadaPostParcel,
    province: str,
    postal_code: str,
) -> list[RateQuote] | None:
    """Return Canada Post's quotes, or None when it could not be reached."""
    try:
        result = quote_rates_with_fallback(
            parcel,
            origin_postal_code=settings.SHOP_ORIGIN_POSTAL_CODE,
            destination_postal_code=postal_code,
            province=province,
            client=client,
        )
    except CanadaPostError as error:
        codes = [message.code for message in error.messages]
        logger.warning("Canada Post rejected a checkout quote", extra={"codes": codes})
        details = " ".join(message.description for message in error.messages)
        raise ShippingQuoteError(
            f"Canada Post could not quote delivery to postal code {postal_code}: "
            f"{details} Check the postal code, or contact us."
        ) from error
    return None if result.from_rate_table else result.quotes


def _parcels(items: list[ParcelItem]) -> list[CanadaPostParcel]:
    """Pack items into the active boxes, else into combined parcels."""
    boxes = [_box(row) for row in PackagingBox.objects.filter(is_active=True)]
    if not boxes:
        return _combined_parcels(items)
    try:
        packed = pack_items(items=items, boxes=boxes, service=PACKING_SERVICE)
    except ValueError as error:
        # Staff must add a box before the label is bought, because
        # fulfillment.parcels stops there. The customer still gets a price.
        logger.warning(
            "Cart fits no packaging box, quoting a combined parcel",
            extra={"error": str(error)},
        )
        return _combined_parcels(items)
    return [
        CanadaPostParcel(
            Decimal(parcel.weight_g) / GRAMS_PER_KG, *parcel.outer_dimensions_cm
        )
        for parcel in packed
    ]


def _combined_parcels(items: list[ParcelItem]) -> list[CanadaPostParcel]:
    """Quote each rate-table parcel as a cube holding its combined volume.

    Canada Post bills the greater of the weight and the volume over its
    density factor, so a cube of the same volume bills the same.
    """
    # NOTE: a long item makes a cube shorter than the item itself, so any
    # surcharge Canada Post adds for length is not in this quote.
    parcels = pack_parcels(items, service=PACKING_SERVICE)
    return [
        CanadaPostParcel(
            Decimal(parcel.weight_g) / GRAMS_PER_KG,
            *[_cube_side(parcel.volume_cm3)] * 3,
        )
        for parcel in parcels
    ]


def _cube_side(volume_cm3: Decimal) -> Decimal:
    """Return the side of a cube of `volume_cm3`, rounded up to 0.1 cm."""
    tenths = math.ceil(float(volume_cm3) ** (1 / 3) * 10)
    return Decimal(tenths) / 10


def _combine(quotes_by_parcel: list[list[RateQuote]]) -> list[ShippingOption]:
    """Sum each service's pre-tax price over the parcels, cheapest first.

    The shop charges its own sales tax on shipping, so Canada Post's taxes
    are left out. A service missing for any parcel is not offered, and the
    delivery date is the latest parcel's.
    """
    codes = set.intersection(
        *({quote.service_code for quote in quotes} for quotes in quotes_by_parcel)
    )
    options = []
    for quote in quotes_by_parcel[0]:
        if quote.service_code not in codes:
            continue
        same_service = [
            other
            for quotes in quotes_by_parcel
            for other in quotes
            if other.service_code == quote.service_code
        ]
        options.append(_option(quote, same_service))
    return sorted(options, key=lambda option: (option.amount, option.transit_days))


def _option(first: RateQuote, quotes: list[RateQuote]) -> ShippingOption:
    dates = [quote.delivery_date for quote in quotes]
    return ShippingOption(
        code=first.service_code,
        name=first.service_name,
        amount=sum((quote.pre_tax_amount for quote in quotes), Decimal("0.00")),
        # NOTE: 0 stands for a transit time Canada Post left out; the label
        # shows the delivery date instead whenever there is one.
        transit_days=max(quote.transit_days or 0 for quote in quotes),
        delivery_date=None if None in dates else max(d for d in dates if d),
    )


def _box(row: PackagingBox) -> Box:
    return Box(
        name=row.name,
        inner_length_cm=row.inner_length_cm,
        inner_width_cm=row.inner_width_cm,
        inner_height_cm=row.inner_height_cm,
        outer_length_cm=row.outer_length_cm,
        outer_width_cm=row.outer_width_cm,
        outer_height_cm=row.outer_height_cm,
        empty_weight_g=row.empty_weight_g,
        max_weight_g=row.max_weight_g,
    )
