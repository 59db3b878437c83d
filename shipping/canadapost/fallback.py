"""Rates from Canada Post, or from the rate table when it cannot be reached."""

import logging
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from shipping.parcels import ParcelItem
from shipping.rates import quote_rates

from .client import CanadaPostClient
from .errors import CanadaPostUnavailable
from .rating import CanadaPostParcel, RateQuote

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateQuotes:
    """Quotes for one parcel, and whether they came from the rate table.

    Rate-table quotes carry no tax: their taxes_amount is 0.00 and their
    due_amount is the table price.
    """

    quotes: list[RateQuote]
    from_rate_table: bool


def quote_rates_with_fallback(
    parcel: CanadaPostParcel,
    *,
    origin_postal_code: str,
    destination_postal_code: str,
    province: str,
    mailing_date: date | None = None,
    client: CanadaPostClient | None = None,
    reference: str = "",
) -> RateQuotes:
    """Quote Canada Post's services, falling back to the rate table.

    Only a timeout, a failed connection or repeated 5xx responses fall back.
    A request Canada Post rejects raises CanadaPostError, because the rate
    table would price an address or parcel that cannot be shipped.
    `province` (for example "ON") picks the rate table's zone.
    """
    client = client or CanadaPostClient.from_settings()
    try:
        quotes = client.get_rates(
            parcel,
            origin_postal_code=origin_postal_code,
            destination_postal_code=destination_postal_code,
            mailing_date=mailing_date,
            reference=reference,
        )
    except CanadaPostUnavailable as error:
        logger.warning(
            "Canada Post unavailable, quoting from the rate table",
            extra={"error": str(error), "reference": reference},
        )
        return RateQuotes(
            quotes=_table_quotes(parcel, province, mailing_date),
            from_rate_table=True,
        )
    return RateQuotes(quotes=quotes, from_rate_table=False)


def _table_quotes(
    parcel: CanadaPostParcel, province: str, mailing_date: date | None
) -> list[RateQuote]:
    item = ParcelItem(
        weight_g=int((parcel.weight_kg * 1000).to_integral_value(ROUND_CEILING)),
        length_cm=parcel.length_cm,
        width_cm=parcel.width_cm,
        height_cm=parcel.height_cm,
        quantity=1,
    )
    options = quote_rates(province=province, items=[item], ship_date=mailing_date)
    return [
        RateQuote(
            service_code=option.code,
            service_name=option.name,
            due_amount=option.amount,
            base_amount=option.amount,
            taxes_amount=Decimal("0.00"),
            transit_days=option.transit_days,
            delivery_date=option.delivery_date,
        )
        for option in options
    ]
