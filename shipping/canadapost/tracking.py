"""Tracking (track-v2): the pin-summary of a parcel and its delivered state."""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime

from .xmltools import TRACK_NS, find_all, find_text, parse

# Event identifiers that mean the parcel reached its addressee (the list
# karrio's Canada Post connector maps to "delivered").
DELIVERED_EVENT_CODES = frozenset(
    {"1408", "1409", "1441", "1442"}
    | {str(code) for code in range(1421, 1435)}
    | {str(code) for code in range(1496, 1500)}
)
# The summary's event-type for a delivery scan.
DELIVERED_EVENT_TYPE = "DELIVERED"


@dataclass(frozen=True)
class TrackingEvent:
    """One scan of a parcel."""

    time: datetime
    description: str
    event_type: str
    location: str


@dataclass(frozen=True)
class TrackingSummary:
    """A parcel's latest tracking event and whether it was delivered."""

    pin: str
    events: list[TrackingEvent]
    delivered: bool
    expected_delivery_date: date | None
    actual_delivery_date: date | None


def parse_tracking_summary(body: bytes, *, time_zone: str) -> TrackingSummary:
    """Parse a tracking-summary document with one pin-summary.

    The summary's event-date-time (yyyymmdd:hhmmss) carries no time zone,
    so it is read in `time_zone`.
    """
    # NOTE: Canada Post does not say which zone the summary's times are in;
    # the detail response names it per event (event-time-zone).
    zone = zoneinfo.ZoneInfo(time_zone)
    root = parse(body)
    summary = find_all(root, "pin-summary", TRACK_NS)[0]
    event = TrackingEvent(
        time=parse_event_time(find_text(summary, "event-date-time", TRACK_NS), zone),
        description=find_text(summary, "event-description", TRACK_NS),
        event_type=find_text(summary, "event-type", TRACK_NS),
        location=find_text(summary, "event-location", TRACK_NS),
    )
    actual = _date(find_text(summary, "actual-delivery-date", TRACK_NS))
    return TrackingSummary(
        pin=find_text(summary, "pin", TRACK_NS),
        events=[event],
        delivered=actual is not None or event.event_type == DELIVERED_EVENT_TYPE,
        expected_delivery_date=_date(
            find_text(summary, "expected-delivery-date", TRACK_NS)
        ),
        actual_delivery_date=actual,
    )


def is_delivered_event(event_identifier: str) -> bool:
    """Return whether a detail event identifier records a delivery."""
    return event_identifier.strip() in DELIVERED_EVENT_CODES


def parse_event_time(value: str, zone: zoneinfo.ZoneInfo) -> datetime:
    """Parse yyyymmdd:hhmmss into an aware datetime in `zone`.

    Raises ValueError naming the value when it has another format.
    """
    try:
        naive = datetime.strptime(value, "%Y%m%d:%H%M%S")  # noqa: DTZ007
    except ValueError:
        raise ValueError(
            f"Invalid Canada Post event time {value!r}: expected yyyymmdd:hhmmss."
        ) from None
    return naive.replace(tzinfo=zone)


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None
