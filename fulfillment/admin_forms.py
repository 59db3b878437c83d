"""Forms of the fulfillment queue: carrier details and a shipment split."""

from collections.abc import Sequence

from django import forms

from .models import Shipment, ShipmentLine
from .tracking_numbers import InvalidTrackingNumber, clean_tracking_number

CARRIERS = [
    ("canadapost", "Canada Post"),
    ("purolator", "Purolator"),
    ("ups", "UPS"),
    ("fedex", "FedEx"),
    ("other", "Other carrier"),
    ("shop", "Shop's own label"),
]


class ShipForm(forms.Form):
    """The carrier, service and tracking number of one parcel handed over.

    A shipment with a bought label already has them; the fields start
    with its values, and a blank tracking number keeps the label's.
    """

    carrier = forms.ChoiceField(choices=CARRIERS)
    service_code = forms.CharField(max_length=30, required=False)
    service_name = forms.CharField(
        max_length=100, required=False, help_text="For example Expedited Parcel."
    )
    tracking_number = forms.CharField(
        max_length=40,
        required=False,
        help_text="Leave blank to keep the bought label's tracking number.",
    )

    def __init__(self, *args, shipment: Shipment, **kwargs):
        initial = {
            "carrier": shipment.carrier or "canadapost",
            "service_code": shipment.service_code,
            "service_name": shipment.service_name,
            "tracking_number": shipment.tracking_number,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.shipment = shipment

    def clean(self):
        cleaned_data = super().clean()
        carrier = cleaned_data.get("carrier")
        if carrier is None or "tracking_number" not in cleaned_data:
            return cleaned_data
        entered = cleaned_data["tracking_number"] or self.shipment.tracking_number
        try:
            tracking_number = clean_tracking_number(entered, carrier=carrier)
        except InvalidTrackingNumber as error:
            message = (
                f"“{error.value}” is not a tracking number; use only {error.allowed}."
            )
            self.add_error("tracking_number", message)
            return cleaned_data
        if not tracking_number:
            self.add_error(
                "tracking_number",
                f"Shipment {self.shipment.number} has no tracking number yet; "
                "enter the one printed under its label's barcode.",
            )
        cleaned_data["tracking_number"] = tracking_number
        return cleaned_data


class SplitForm(forms.Form):
    """Units of each line to move out of a shipment into a new one."""

    def __init__(self, lines: Sequence[ShipmentLine], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"line_{line.order_line_id}"] = forms.IntegerField(
                label=f"{line.order_line.sku} {line.order_line.name}",
                min_value=0,
                max_value=line.quantity,
                initial=0,
                help_text=f"Units to move, of {line.quantity} in this shipment.",
            )

    def quantities(self) -> dict[int, int]:
        return {
            line.order_line_id: self.cleaned_data[f"line_{line.order_line_id}"]
            for line in self.lines
        }


def split_form(lines: Sequence[ShipmentLine], data=None) -> SplitForm:
    return SplitForm(lines, data)
