"""Forms of the fulfillment queue: carrier details and a shipment split."""

from collections.abc import Sequence

from django import forms

from .models import Shipment, ShipmentLine

CARRIERS = [
    ("canadapost", "Canada Post"),
    ("purolator", "Purolator"),
    ("ups", "UPS"),
    ("fedex", "FedEx"),
    ("other", "Other carrier"),
]


class ShipForm(forms.Form):
    """The carrier, service and tracking number of one parcel handed over.

    A shipment with a bought label already has them; the fields start
    with its values and may be left as they are.
    """

    carrier = forms.ChoiceField(choices=CARRIERS)
    service_code = forms.CharField(max_length=30, required=False)
    service_name = forms.CharField(
        max_length=100, required=False, help_text="For example Expedited Parcel."
    )
    tracking_number = forms.CharField(max_length=40)

    def __init__(self, *args, shipment: Shipment, **kwargs):
        initial = {
            "carrier": shipment.carrier or "canadapost",
            "service_code": shipment.service_code,
            "service_name": shipment.service_name,
            "tracking_number": shipment.tracking_number,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.shipment = shipment

    def clean_tracking_number(self) -> str:
        value = self.cleaned_data["tracking_number"].replace(" ", "")
        if not value.isalnum():
            raise forms.ValidationError(
                f"“{value}” is not a tracking number; use only the letters and "
                "digits printed under the label's barcode."
            )
        return value


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
