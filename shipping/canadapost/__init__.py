"""Canada Post's REST API: rates, labels, manifests and tracking.

`CanadaPostClient.from_settings()` returns a client for the shop's account;
`quote_rates_with_fallback` quotes from the rate table when Canada Post
cannot be reached.
"""

from .client import CanadaPostClient
from .errors import (
    CanadaPostConfigurationError,
    CanadaPostError,
    CanadaPostException,
    CanadaPostUnavailable,
    Message,
)
from .fallback import RateQuotes, quote_rates_with_fallback
from .rating import CanadaPostParcel, RateQuote
from .shipments import Address, CreatedShipment, Manifest, ShipmentRequest
from .tracking import TrackingEvent, TrackingSummary

__all__ = [
    "Address",
    "CanadaPostClient",
    "CanadaPostConfigurationError",
    "CanadaPostError",
    "CanadaPostException",
    "CanadaPostParcel",
    "CanadaPostUnavailable",
    "CreatedShipment",
    "Manifest",
    "Message",
    "RateQuote",
    "RateQuotes",
    "ShipmentRequest",
    "TrackingEvent",
    "TrackingSummary",
    "quote_rates_with_fallback",
]
