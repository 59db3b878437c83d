"""The Canada Post client: one method per REST operation the shop uses."""

import re
from datetime import date

from django.conf import settings

from . import rating, shipments, tracking
from .errors import CanadaPostConfigurationError
from .rating import CanadaPostParcel, RateQuote
from .shipments import Address, CreatedShipment, Manifest, ShipmentRequest
from .tracking import TrackingSummary
from .transport import Call, Transport
from .xmltools import (
    MANIFEST_MEDIA_TYPE,
    NCSHIPMENT_MEDIA_TYPE,
    NCSHIPMENT_NS,
    PDF_MEDIA_TYPE,
    RATE_MEDIA_TYPE,
    SHIPMENT_MEDIA_TYPE,
    SHIPMENT_NS,
    TRACK_MEDIA_TYPE,
)

# A PIN has 12, 13 or 16 characters.
PIN = re.compile(r"^[A-Z0-9]{12}([A-Z0-9]|[A-Z0-9]{4})?$")


class CanadaPostClient:
    """Call Canada Post for one customer account.

    Operations raise CanadaPostError when Canada Post rejects a request
    (str() is its own message), CanadaPostUnavailable when it cannot be
    reached, and ValueError for input it would reject anyway.
    """

    def __init__(
        self,
        *,
        api_base: str,
        username: str,
        password: str,
        customer_number: str,
        contract_id: str = "",
        timeout: float = 10.0,
        max_attempts: int = 3,
        backoff_seconds: float = 0.5,
    ):
        self.api_base = api_base.rstrip("/")
        self.customer_number = customer_number
        self.contract_id = contract_id
        self.transport = Transport(
            username=username,
            password=password,
            timeout=timeout,
            max_attempts=max_attempts,
            backoff_seconds=backoff_seconds,
        )

    @classmethod
    def from_settings(cls, **overrides) -> "CanadaPostClient":
        """Build a client from the CANADAPOST_* settings.

        Raises CanadaPostConfigurationError naming a missing setting.
        """
        for name in ("USERNAME", "PASSWORD", "CUSTOMER_NUMBER"):
            if not getattr(settings, f"CANADAPOST_{name}", ""):
                raise CanadaPostConfigurationError(
                    f"CANADAPOST_{name} is not set: add the API key from the "
                    "Canada Post developer program to the environment."
                )
        options = {
            "api_base": settings.CANADAPOST_API_BASE,
            "username": settings.CANADAPOST_USERNAME,
            "password": settings.CANADAPOST_PASSWORD,
            "customer_number": settings.CANADAPOST_CUSTOMER_NUMBER,
            "contract_id": settings.CANADAPOST_CONTRACT_ID,
            "timeout": settings.CANADAPOST_TIMEOUT,
        }
        return cls(**{**options, **overrides})

    def get_rates(
        self,
        parcel: CanadaPostParcel,
        *,
        origin_postal_code: str,
        destination_postal_code: str,
        mailing_date: date | None = None,
        reference: str = "",
    ) -> list[RateQuote]:
        """Quote every domestic service for one parcel."""
        body = rating.build_rate_request(
            customer_number=self.customer_number,
            contract_id=self.contract_id,
            parcel=parcel,
            origin_postal_code=origin_postal_code,
            destination_postal_code=destination_postal_code,
            mailing_date=mailing_date,
        )
        response = self._send(
            "get_rates",
            "POST",
            "/rs/ship/price",
            RATE_MEDIA_TYPE,
            body,
            reference=reference,
        )
        return rating.parse_price_quotes(response)

    def create_non_contract_shipment(
        self, request: ShipmentRequest, *, reference: str = ""
    ) -> CreatedShipment:
        """Buy a label paid by the account's card (no manifest needed)."""
        body = shipments.build_non_contract_shipment(request)
        response = self._send(
            "create_non_contract_shipment",
            "POST",
            f"/rs/{self.customer_number}/ncshipment",
            NCSHIPMENT_MEDIA_TYPE,
            body,
            idempotent=False,
            reference=reference,
        )
        return shipments.parse_created_shipment(response, NCSHIPMENT_NS)

    def get_artifact(self, label_url: str, *, reference: str = "") -> bytes:
        """Download a label or manifest PDF from its link."""
        return self._follow(
            "get_artifact", "GET", label_url, PDF_MEDIA_TYPE, reference=reference
        )

    def request_non_contract_refund(
        self, refund_url: str, *, email: str, reference: str = ""
    ) -> str:
        """Ask for a refund of an unused non-contract label.

        Returns Canada Post's service ticket id; the decision is emailed to
        `email`.
        """
        body = shipments.build_refund_request(
            NCSHIPMENT_NS, "non-contract-shipment-refund-request", email
        )
        response = self._follow(
            "request_non_contract_refund",
            "POST",
            refund_url,
            NCSHIPMENT_MEDIA_TYPE,
            body,
            idempotent=False,
            reference=reference,
        )
        return shipments.parse_refund_ticket(response, NCSHIPMENT_NS)

    def create_shipment(
        self, request: ShipmentRequest, *, group_id: str, reference: str = ""
    ) -> CreatedShipment:
        """Create a contract shipment in `group_id`, to transmit later."""
        body = shipments.build_contract_shipment(
            request, group_id=group_id, contract_id=self.contract_id
        )
        number = self.customer_number
        response = self._send(
            "create_shipment",
            "POST",
            f"/rs/{number}/{number}/shipment",
            SHIPMENT_MEDIA_TYPE,
            body,
            idempotent=False,
            reference=reference,
        )
        return shipments.parse_created_shipment(response, SHIPMENT_NS)

    def void_shipment(self, self_url: str, *, reference: str = "") -> None:
        """Void a contract shipment; only possible before it is transmitted."""
        self._follow(
            "void_shipment",
            "DELETE",
            self_url,
            SHIPMENT_MEDIA_TYPE,
            reference=reference,
        )

    def transmit_shipments(
        self, *, group_ids: list[str], shipping_point: str, manifest_address: Address
    ) -> list[str]:
        """Transmit the groups for pick-up; returns the manifest links."""
        body = shipments.build_transmit_set(
            group_ids=group_ids,
            shipping_point=shipping_point,
            manifest_address=manifest_address,
        )
        number = self.customer_number
        response = self._send(
            "transmit_shipments",
            "POST",
            f"/rs/{number}/{number}/manifest",
            MANIFEST_MEDIA_TYPE,
            body,
            idempotent=False,
        )
        return shipments.parse_manifest_links(response)

    def get_manifest(self, manifest_url: str) -> Manifest:
        """Fetch a manifest's PO number and the link to its PDF."""
        response = self._follow(
            "get_manifest", "GET", manifest_url, MANIFEST_MEDIA_TYPE
        )
        return shipments.parse_manifest(response)

    def tracking_summary(self, pin: str, *, reference: str = "") -> TrackingSummary:
        """Fetch the latest event of a parcel and whether it was delivered."""
        compact = pin.replace(" ", "").upper()
        if not PIN.match(compact):
            raise ValueError(
                f"Invalid tracking number {pin!r}: a Canada Post PIN has 12, 13 "
                "or 16 letters and digits."
            )
        response = self._send(
            "tracking_summary",
            "GET",
            f"/vis/track/pin/{compact}/summary",
            TRACK_MEDIA_TYPE,
            reference=reference,
        )
        return tracking.parse_tracking_summary(
            response, time_zone=settings.SHOP_TIME_ZONE
        )

    def _send(
        self,
        operation: str,
        method: str,
        path: str,
        media_type: str,
        body: bytes = b"",
        *,
        idempotent: bool = True,
        reference: str = "",
    ) -> bytes:
        return self.transport.send(
            Call(
                operation=operation,
                method=method,
                url=self.api_base + path,
                media_type=media_type,
                body=body,
                idempotent=idempotent,
                reference=reference,
            )
        )

    def _follow(
        self,
        operation: str,
        method: str,
        url: str,
        media_type: str,
        body: bytes = b"",
        *,
        idempotent: bool = True,
        reference: str = "",
    ) -> bytes:
        """Send to a link from an earlier response, on the API host only."""
        # Basic credentials go with every request, so a link pointing
        # anywhere else is rejected rather than followed.
        if not url.startswith(self.api_base + "/"):
            raise ValueError(
                f"Rejected Canada Post link {url!r}: it is not on "
                f"{self.api_base}. Check CANADAPOST_API_BASE."
            )
        path = url.removeprefix(self.api_base)
        return self._send(
            operation,
            method,
            path,
            media_type,
            body,
            idempotent=idempotent,
            reference=reference,
        )
