"""Tracking numbers as staff and handhelds enter them, checked per carrier.

Canada Post, Purolator, UPS and FedEx print numbers of letters and digits
only, so anything else is a typing or scanning mistake. The shop's own
labels carry the shipment number after "LF" (LF100006-1), and other
carriers may use hyphens too, so those keep inner hyphens.
"""

import re

# Carriers whose tracking numbers are letters and digits only.
ALPHANUMERIC_CARRIERS = frozenset({"canadapost", "purolator", "ups", "fedex"})

LETTERS_AND_DIGITS = re.compile(r"[A-Za-z0-9]+")
WITH_HYPHENS = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


class InvalidTrackingNumber(ValueError):
    """A tracking number has characters its carrier never prints."""

    def __init__(self, value: str, allowed: str):
        super().__init__(f"{value!r} is not a tracking number; use only {allowed}.")
        self.value = value
        self.allowed = allowed


def clean_tracking_number(value: str, *, carrier: str) -> str:
    """Return `value` without spaces, checked against `carrier`'s format.

    Raises InvalidTrackingNumber for characters the carrier never prints.
    An empty value is returned as it is, for the caller to decide.
    """
    value = "".join(value.split())
    if not value:
        return value
    if carrier in ALPHANUMERIC_CARRIERS:
        pattern, allowed = LETTERS_AND_DIGITS, "the letters and digits"
    else:
        pattern, allowed = WITH_HYPHENS, "the letters, digits and hyphens"
    if not pattern.fullmatch(value):
        raise InvalidTrackingNumber(
            value, f"{allowed} printed under the label's barcode"
        )
    return value
