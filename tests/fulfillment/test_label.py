import pytest

from fulfillment.documents import ShippingLabel, render_label
from fulfillment.documents.label import format_weight

from .pdf_tools import page_barcodes, page_count, page_size, page_text

ACCENTED_ADDRESS = (
    "Éloïse Bélanger-Côté",
    "1234 rue de la Montagne-Sainte-Geneviève",
    "App. 1203",
    "Saint-Jean-sur-Richelieu QC J3B 1A1",
)


def make_label(**changes) -> ShippingLabel:
    values = {
        "sender": (
            "Ledgerfront Demo Shop",
            "1500 Barrington Street",
            "Halifax NS B3J 1Z7",
        ),
        "recipient": ACCENTED_ADDRESS,
        "service": "Expedited Parcel",
        "weight_g": 1250,
        "tracking_number": "LF1000421",
        "shipment_number": "100042-1",
    }
    return ShippingLabel(**(values | changes))


def test_label_barcode_is_tracking_number(tmp_path):
    pdf = render_label(make_label())

    assert page_barcodes(pdf, tmp_path) == ["LF1000421"]


def test_label_long_tracking_number_decodes(tmp_path):
    tracking_number = "LF-2099-0313-ABCDEFGHJKLMNPQRSTUV"

    pdf = render_label(make_label(tracking_number=tracking_number))

    assert page_barcodes(pdf, tmp_path) == [tracking_number]


def test_label_accented_address_intact():
    text = page_text(render_label(make_label()))

    words = text.split()
    for word in " ".join(ACCENTED_ADDRESS).split():
        assert word in words


def test_label_long_address_shrinks_not_cut():
    recipient = (
        *ACCENTED_ADDRESS[:2],
        "Bureau 5, " * 12 + "porte arrière",
        *ACCENTED_ADDRESS[2:],
    )

    text = page_text(render_label(make_label(recipient=recipient)))

    words = text.split()
    assert words.count("Bureau") == 12
    assert "arrière" in words
    assert "J3B" in words
    assert "1A1" in words


def test_label_prints_sender_service_weight():
    text = page_text(render_label(make_label()))

    assert (
        "FROM\nLedgerfront Demo Shop\n1500 Barrington Street\nHalifax NS B3J 1Z7\n"
        in text
    )
    assert "Expedited Parcel, 1.250 kg\nShipment 100042-1\n" in text


def test_label_is_one_4x6_page():
    pdf = render_label(make_label())

    assert page_count(pdf) == 1
    assert page_size(pdf) == (288.0, 432.0)


def test_label_renders_same_bytes_twice():
    assert render_label(make_label()) == render_label(make_label())


def test_label_rejects_accented_tracking_number():
    with pytest.raises(ValueError, match="Cannot print 'LFÉ1' as a Code 128 barcode"):
        render_label(make_label(tracking_number="LFÉ1"))


def test_format_weight_in_kilograms():
    assert format_weight(1250) == "1.250 kg"
    assert format_weight(80) == "0.080 kg"
