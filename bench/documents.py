"""Measure how long one packing slip and one shipping label take to render.

Usage, from the repository root (no database needed):

    .venv/bin/python bench/documents.py --count 100

Renders --count packing slips one by one (each with 3 lines in the parcel
and 1 on backorder), the same slips as one batch PDF, and --count 4 x 6 in
labels, each with its own shipment or tracking number. Prints the
milliseconds per document and the size of each PDF.
"""

import argparse
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fulfillment.documents import (  # noqa: E402
    BackorderLine,
    PackingSlip,
    ShippingLabel,
    SlipLine,
    render_label,
    render_packing_slip,
    render_packing_slips,
)

SHOP_ADDRESS = ("1500 Barrington Street", "Halifax NS B3J 1Z7", "Canada")
RECIPIENT = (
    "Éloïse Bélanger-Côté",
    "1234 rue de la Montagne-Sainte-Geneviève",
    "App. 1203",
    "Saint-Jean-sur-Richelieu QC J3B 1A1",
)


def make_slip(number: int) -> PackingSlip:
    lines = tuple(
        SlipLine(
            sku=f"SKU-{number}-{index}",
            name=f"Hand-thrown stoneware mug, speckled oatmeal glaze, size {index}",
            quantity=index,
            options="Oatmeal / 350 ml",
            bin_location=f"A-{index:02d}-2",
        )
        for index in (1, 2, 3)
    )
    return PackingSlip(
        shop_name="Ledgerfront Demo Shop",
        shop_address=SHOP_ADDRESS,
        order_number=str(100000 + number),
        shipment_number=f"{100000 + number}-1",
        ship_to=RECIPIENT,
        lines=lines,
        backorders=(BackorderLine("POT-BLUE", "Teapot", 1, date(2099, 3, 13)),),
    )


def make_label(number: int) -> ShippingLabel:
    return ShippingLabel(
        sender=("Ledgerfront Demo Shop", *SHOP_ADDRESS[:2]),
        recipient=RECIPIENT,
        service="Expedited Parcel",
        weight_g=1250,
        tracking_number=f"LF{100000 + number}1",
        shipment_number=f"{100000 + number}-1",
    )


def measure(name: str, render, items: list, *, documents_per_item: int = 1) -> None:
    """Render every item and print the time and size per document."""
    started = time.perf_counter()
    size = sum(len(render(item)) for item in items)
    elapsed_ms = (time.perf_counter() - started) * 1000
    documents = len(items) * documents_per_item
    print(
        f"{name:<14} {documents:>5} documents  "
        f"{elapsed_ms / documents:7.2f} ms each  "
        f"{size / documents / 1024:6.1f} KiB each"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100, help="documents of each kind")
    count = parser.parse_args().count

    slips = [make_slip(number) for number in range(count)]
    labels = [make_label(number) for number in range(count)]
    # The first render loads fonts and barcode tables: leave it out.
    render_packing_slip(slips[0])
    render_label(labels[0])

    measure("packing slip", render_packing_slip, slips)
    measure("slip batch", render_packing_slips, [slips], documents_per_item=count)
    measure("label", render_label, labels)


if __name__ == "__main__":
    main()
