"""PDF documents for shipments, each rendered from plain values.

Nothing here touches the database or settings: fulfillment.slip_data
builds the values from a Shipment, so the renderers can be called from a
task, a view or a benchmark alike.
"""

from .label import ShippingLabel, render_label
from .packing_slip import (
    BackorderLine,
    PackingSlip,
    SlipLine,
    render_packing_slip,
    render_packing_slips,
)

__all__ = [
    "BackorderLine",
    "PackingSlip",
    "ShippingLabel",
    "SlipLine",
    "render_label",
    "render_packing_slip",
    "render_packing_slips",
]
