from datetime import date

import pytest

from fulfillment.documents import (
    BackorderLine,
    PackingSlip,
    SlipLine,
    render_packing_slip,
    render_packing_slips,
)

from .pdf_tools import page_barcodes, page_count, page_text

LONG_NAME = (
    "Hand-thrown stoneware coffee mug with a speckled oatmeal glaze, "
    "made in small batches in Lunenburg, Nova Scotia"
)


def make_slip(**changes) -> PackingSlip:
    values = {
        "shop_name": "Ledgerfront Demo Shop",
        "shop_address": ("1500 Barrington Street", "Halifax NS B3J 1Z7", "Canada"),
        "order_number": "100042",
        "shipment_number": "100042-1",
        "ship_to": ("Avery Tremblay", "5670 Spring Garden Road", "Halifax NS B3J 1H6"),
        "lines": (
            SlipLine(
                sku="MUG-OAT",
                name="Stoneware mug",
                quantity=2,
                options="Oatmeal / 350 ml",
                bin_location="A-03-2",
            ),
            SlipLine(sku="TEA-EARL", name="Earl Grey tea", quantity=1),
        ),
        "backorders": (
            BackorderLine(
                sku="POT-BLUE",
                name="Teapot",
                quantity=3,
                expected_ship_date=date(2099, 3, 13),
            ),
        ),
    }
    return PackingSlip(**(values | changes))


def test_slip_prints_shop_and_numbers():
    text = page_text(render_packing_slip(make_slip()))

    assert "Ledgerfront Demo Shop\n1500 Barrington Street\nHalifax NS B3J 1Z7" in text
    assert "Order 100042\n" in text
    assert "Shipment 100042-1\n" in text


def test_slip_prints_ship_to_address():
    text = page_text(render_packing_slip(make_slip()))

    assert (
        "Ship to\nAvery Tremblay\n5670 Spring Garden Road\nHalifax NS B3J 1H6\n" in text
    )


def test_slip_prints_lines_with_bin():
    text = page_text(render_packing_slip(make_slip()))

    assert "MUG-OAT\nStoneware mug\nOatmeal / 350 ml\n2\nA-03-2\n" in text
    assert "TEA-EARL\nEarl Grey tea\n1\n" in text


def test_slip_lists_backorder_with_date():
    text = page_text(render_packing_slip(make_slip()))

    backorder_section = text.split("Still on backorder\n", 1)[1]
    assert "POT-BLUE\nTeapot\n3\nFriday 13 March 2099" in backorder_section


def test_slip_backorder_without_date():
    slip = make_slip(backorders=(BackorderLine("POT-BLUE", "Teapot", 3),))

    text = page_text(render_packing_slip(slip))

    assert "POT-BLUE\nTeapot\n3\nDate to be confirmed" in text


def test_slip_without_backorders_omits_section():
    text = page_text(render_packing_slip(make_slip(backorders=())))

    assert "backorder" not in text


def test_slip_long_name_wraps_whole():
    slip = make_slip(lines=(SlipLine(sku="MUG-OAT", name=LONG_NAME, quantity=1),))

    text = page_text(render_packing_slip(slip))

    assert " ".join(text.split()).count(LONG_NAME) == 1
    assert LONG_NAME not in text  # wrapped over several lines, not on one


def test_slip_prints_markup_characters_as_text():
    slip = make_slip(
        lines=(SlipLine(sku="S&P", name="Salt & <b>pepper</b>", quantity=1),)
    )

    text = page_text(render_packing_slip(slip))

    assert "S&P\nSalt & <b>pepper</b>\n1\n" in text


def test_slip_barcode_is_shipment_number(tmp_path):
    pdf = render_packing_slip(make_slip())

    assert page_barcodes(pdf, tmp_path) == ["100042-1"]


def test_slip_renders_same_bytes_twice():
    first = render_packing_slip(make_slip())

    second = render_packing_slip(make_slip())

    assert first == second


def test_batch_has_one_page_per_slip(tmp_path):
    slips = [make_slip(shipment_number=f"100042-{n}") for n in (1, 2, 3)]

    pdf = render_packing_slips(slips)

    assert page_count(pdf) == 3
    assert "Shipment 100042-2\n" in page_text(pdf, page=2)
    assert page_barcodes(pdf, tmp_path, page=3) == ["100042-3"]


def test_batch_rejects_empty_list():
    with pytest.raises(ValueError, match="No packing slips to render"):
        render_packing_slips([])
