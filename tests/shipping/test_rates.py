import ast
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

import shipping
from shipping.parcels import ParcelItem
from shipping.rates import ShippingOption, load_rate_table, quote_rates, rate_table

THURSDAY = date(2026, 3, 5)


def item(weight_g, length="20", width="15", height="5", quantity=1):
    return ParcelItem(
        weight_g=weight_g,
        length_cm=Decimal(length),
        width_cm=Decimal(width),
        height_cm=Decimal(height),
        quantity=quantity,
    )


def prices(province, items):
    options = quote_rates(province=province, items=items, ship_date=THURSDAY)
    return {option.code: option.amount for option in options}


# A 1 kg parcel of 1,500 cm³ (0.3 kg dimensional at most) from Halifax.
@pytest.mark.parametrize(
    ("province", "regular", "expedited", "xpresspost"),
    [
        ("NS", "12.05", "13.05", "15.68"),
        ("NB", "14.05", "15.18", "18.65"),
        ("PE", "14.05", "15.18", "18.65"),
        ("NL", "14.05", "15.18", "18.65"),
        ("ON", "17.08", "18.48", "23.55"),
        ("QC", "17.08", "18.48", "23.55"),
        ("MB", "21.13", "22.88", "31.03"),
        ("SK", "21.13", "22.88", "31.03"),
        ("AB", "21.13", "22.88", "31.03"),
        ("BC", "21.13", "22.88", "31.03"),
        ("YT", "33.25", "35.93", "50.10"),
        ("NT", "33.25", "35.93", "50.10"),
        ("NU", "33.25", "35.93", "50.10"),
    ],
)
def test_quote_rates_price_by_zone(province, regular, expedited, xpresspost):
    assert prices(province, [item(1000)]) == {
        "DOM.RP": Decimal(regular),
        "DOM.EP": Decimal(expedited),
        "DOM.XP": Decimal(xpresspost),
    }


def test_quote_rates_cheapest_first_with_delivery_dates():
    options = quote_rates(province="ON", items=[item(1000)], ship_date=THURSDAY)

    assert options == [
        ShippingOption(
            "DOM.RP", "Regular Parcel", Decimal("17.08"), 5, date(2026, 3, 12)
        ),
        ShippingOption(
            "DOM.EP", "Expedited Parcel", Decimal("18.48"), 4, date(2026, 3, 11)
        ),
        ShippingOption("DOM.XP", "Xpresspost", Decimal("23.55"), 2, date(2026, 3, 9)),
    ]


def test_quote_rates_bills_dimensional_weight():
    # 24,000 cm³ at 0.5 kg: 4 kg billable on Regular Parcel (6,000 cm³/kg),
    # 4.8 kg on Expedited and Xpresspost (5,000), so the 5 kg bracket.
    pillow = item(500, "40", "30", "20")

    assert prices("ON", [pillow]) == {
        "DOM.RP": Decimal("24.13"),
        "DOM.EP": Decimal("28.68"),
        "DOM.XP": Decimal("37.15"),
    }


def test_quote_rates_split_order_per_parcel():
    # 40 kg ships as two 20 kg parcels, each at the 20 kg price.
    kettlebells = item(20_000, "20", "20", "20", quantity=2)

    assert prices("ON", [kettlebells])["DOM.RP"] == Decimal("123.46")


def test_quote_rates_ship_date_defaults_to_shop_today(settings, monkeypatch):
    # Friday 22:00 in Halifax is Saturday in UTC: one business day later is
    # Monday, counted from the shop's Friday.
    settings.SHOP_TIME_ZONE = "America/Halifax"
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 7, 2, 0, tzinfo=UTC))

    options = quote_rates(province="NS", items=[item(1000)])

    xpresspost = next(option for option in options if option.code == "DOM.XP")
    assert xpresspost.delivery_date == date(2026, 3, 9)


@pytest.mark.parametrize(
    ("province", "items", "message"),
    [
        ("ZZ", [item(1000)], "Unknown province or territory code 'ZZ'"),
        ("ON", [], "The parcel is empty"),
        ("ON", [item(0)], "Item 1 has invalid weight 0 g"),
        ("ON", [item(31_000)], "Item 1 weighs 31.000 kg billable"),
    ],
)
def test_quote_rates_rejects_invalid_input(province, items, message):
    with pytest.raises(ValueError, match=message):
        quote_rates(province=province, items=items, ship_date=THURSDAY)


def test_rate_table_price_over_last_bracket_raises():
    with pytest.raises(ValueError, match="the rate table stops at 30 kg"):
        rate_table().price("DOM.RP", "local", Decimal("30.001"))


def test_rate_table_complete_for_every_zone():
    table = rate_table()

    assert sorted(set(table.zones.values())) == [
        "atlantic",
        "central",
        "local",
        "north",
        "west",
    ]
    assert list(table.service_names) == ["DOM.RP", "DOM.EP", "DOM.XP"]
    assert len(table.brackets) == 15


def write_table(directory, rates):
    (directory / "zones.csv").write_text("province_code,zone\nON,central\n")
    (directory / "services.csv").write_text(
        "service_code,service_name,zone,transit_days\nDOM.RP,Regular Parcel,central,3\n"
    )
    (directory / "rates.csv").write_text(
        "service_code,zone,max_weight_kg,amount\n" + rates
    )


def test_rate_table_dir_setting_replaces_table(settings, tmp_path):
    write_table(tmp_path, "DOM.RP,central,30,9.99\n")
    settings.SHIPPING_RATE_TABLE_DIR = tmp_path

    options = quote_rates(province="ON", items=[item(1000)], ship_date=THURSDAY)

    assert [(o.code, o.amount, o.transit_days) for o in options] == [
        ("DOM.RP", Decimal("9.99"), 3)
    ]


def test_rate_table_missing_prices_raises(tmp_path):
    write_table(tmp_path, "")

    with pytest.raises(ValueError, match=r"no prices in .*rates\.csv for service"):
        load_rate_table(tmp_path)


def test_shipping_imports_no_other_app():
    other_apps = {"shop", "inventory", "orders", "fulfillment", "accounting"}
    imported = set()
    for path in Path(shipping.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])

    assert imported & other_apps == set()
