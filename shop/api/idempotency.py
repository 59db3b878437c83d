"""The Idempotency-Key request header: one key per request that a device
may retry, so that a retry is recorded once."""

import re

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from .errors import invalid
from .schema import ErrorSerializer

HEADER = "Idempotency-Key"
# Order.client_key stores at most 64 characters.
MAX_LENGTH = 64
_VISIBLE_ASCII = re.compile(r"[!-~]+")

# Set to "true" on a response that returns what an earlier request with
# the same key recorded.
REPLAYED_HEADER = "Idempotent-Replayed"


class IdempotencyKeyReused(APIException):
    """A key came back with a different request (422)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used for a different request."
    default_code = "idempotency_key_reused"


KEY_REUSED_RESPONSE = OpenApiResponse(
    ErrorSerializer,
    description=(
        f"The {HEADER} was already used for a different request; the message "
        "names the record it was used for and what differs."
    ),
)


def idempotency_key_parameter(*, required: bool, description: str):
    """Describe the header for extend_schema's parameters."""
    return OpenApiParameter(
        HEADER,
        str,
        OpenApiParameter.HEADER,
        required=required,
        description=description,
    )


def read_idempotency_key(request: Request, *, required: bool) -> str | None:
    """Return the request's Idempotency-Key, or None when absent and optional.

    A key in double quotes (the structured-field form) is unquoted. Raises
    a 400 ValidationError for a missing required key or a key that is not
    1 to 64 visible ASCII characters.
    """
    key = request.headers.get(HEADER, "").strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key:
        if not required:
            return None
        raise invalid(
            f"The {HEADER} header is missing; send a new random key for each "
            "request, such as a UUID, and the same key when retrying it.",
            HEADER,
        )
    if len(key) > MAX_LENGTH or not _VISIBLE_ASCII.fullmatch(key):
        raise invalid(
            f"{HEADER} {key[:80]!r} is invalid; use 1 to {MAX_LENGTH} visible "
            "ASCII characters without spaces, such as a UUID.",
            HEADER,
        )
    return key


def recorded_response(data, *, created: bool) -> Response:
    """Build the response to a keyed write: 201 when recorded now, else 200
    with the Idempotent-Replayed header."""
    if created:
        return Response(data, status=status.HTTP_201_CREATED)
    return Response(data, headers={REPLAYED_HEADER: "true"})
