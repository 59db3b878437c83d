"""Shipping rates from a table by destination zone and billable weight.

The table lives in three CSV files in settings.SHIPPING_RATE_TABLE_DIR
(shipping/data/README.md describes them). It is read once per process and
priced for parcels sent from one origin, the shop's warehouse.
"""

import csv
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from .dates import add_business_days, shop_today
from .parcels import ParcelItem, check_items, pack_parcels


@dataclass(frozen=True)
class ShippingOption:
    """One carrier service offered at checkout, with its price and dates."""

    code: str
    name: str
    amount: Decimal
    transit_days: int
    delivery_date: date | None


@dataclass(frozen=True)
class RateTable:
    """Zones by province, services by code, and prices by weight bracket."""

    zones: dict[str, str]
    service_names: dict[str, str]
    transit_days: dict[tuple[str, str], int]
    # (max weight in kg, price) pairs, lightest first, by (service, zone).
    brackets: dict[tuple[str, str], tuple[tuple[Decimal, Decimal], ...]]

    def zone_for(self, province: str) -> str:
        """Return the zone of a province or territory code such as "ON".

        Raises ValueError naming the code when the table has no zone for it.
        """
        code = province.strip().upper()
        if code not in self.zones:
            raise ValueError(
                f"Unknown province or territory code {province!r}: "
                f"use one of {', '.join(sorted(self.zones))}."
            )
        return self.zones[code]

    def price(self, service: str, zone: str, weight_kg: Decimal) -> Decimal:
        """Return the price of one parcel of `weight_kg` billable kilograms.

        Raises ValueError when the weight is above the table's last bracket.
        """
        brackets = self.brackets[service, zone]
        for max_weight_kg, amount in brackets:
            if weight_kg <= max_weight_kg:
                return amount
        raise ValueError(
            f"No {service} rate for {weight_kg} kg to zone {zone!r}: the rate "
            f"table stops at {brackets[-1][0]} kg, so split the parcel."
        )


def quote_rates(
    *,
    province: str,
    items: Sequence[ParcelItem],
    ship_date: date | None = None,
) -> list[ShippingOption]:
    """Quote every service in the rate table for `items`, cheapest first.

    Items over 30 kg in all go in several parcels, priced one by one (see
    shipping.parcels.pack_parcels). Delivery dates count business days from
    `ship_date`, or from today in the shop's time zone. Raises ValueError
    for an unknown province, an empty parcel, an invalid item or a single
    unit too heavy or too large for a parcel.
    """
    table = rate_table()
    zone = table.zone_for(province)
    check_items(items)
    start = ship_date or shop_today()

    options = []
    for code, name in table.service_names.items():
        parcels = pack_parcels(items, service=code)
        amount = sum(
            (table.price(code, zone, p.billable_weight_kg) for p in parcels),
            Decimal("0.00"),
        )
        days = table.transit_days[code, zone]
        options.append(
            ShippingOption(code, name, amount, days, add_business_days(start, days))
        )
    return sorted(options, key=lambda option: (option.amount, option.transit_days))


def rate_table() -> RateTable:
    """Return the rate table in settings.SHIPPING_RATE_TABLE_DIR."""
    return load_rate_table(Path(settings.SHIPPING_RATE_TABLE_DIR))


@functools.cache
def load_rate_table(directory: Path) -> RateTable:
    """Read a rate table from `directory`, once per process and folder.

    Raises ValueError naming the file when a service has no price or transit
    time for a zone.
    """
    zones = {row["province_code"]: row["zone"] for row in _read(directory, "zones")}
    service_names: dict[str, str] = {}
    transit_days = {}
    for row in _read(directory, "services"):
        service_names[row["service_code"]] = row["service_name"]
        transit_days[row["service_code"], row["zone"]] = int(row["transit_days"])

    brackets: dict[tuple[str, str], list[tuple[Decimal, Decimal]]] = {}
    for row in _read(directory, "rates"):
        brackets.setdefault((row["service_code"], row["zone"]), []).append(
            (Decimal(row["max_weight_kg"]), Decimal(row["amount"]))
        )

    table = RateTable(
        zones=zones,
        service_names=service_names,
        transit_days=transit_days,
        brackets={key: tuple(sorted(rows)) for key, rows in brackets.items()},
    )
    _check_complete(table, directory)
    return table


def _read(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / f"{name}.csv").open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _check_complete(table: RateTable, directory: Path) -> None:
    for zone in sorted(set(table.zones.values())):
        for service in table.service_names:
            if (service, zone) not in table.transit_days:
                missing = f"no transit days in {directory / 'services.csv'}"
            elif (service, zone) not in table.brackets:
                missing = f"no prices in {directory / 'rates.csv'}"
            else:
                continue
            raise ValueError(
                f"Incomplete rate table: {missing} for service {service} to "
                f"zone {zone!r}. Add the missing rows."
            )
