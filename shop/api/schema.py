"""OpenAPI schema generation: the error responses every operation can give.

DRF returns an error as `{"detail": "..."}`, and rejects a request it cannot
validate with an object of field names to lists of messages. ApiAutoSchema
adds those responses to each operation so that clients and contract tests
know every status code the API returns.
"""

from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers

from .filters import StrictOrderingFilter


class ErrorSerializer(serializers.Serializer):
    """An error that is not about one field."""

    detail = serializers.CharField(help_text="What went wrong and what to do.")


# Field name to its messages. `non_field_errors` contains messages about the
# request as a whole, and a nested serializer's errors nest the same way.
# A malformed body is reported as {"detail": "..."}, which fits too.
VALIDATION_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Messages for each invalid field or query parameter.",
    "additionalProperties": {},
    "example": {"updated_since": ["Enter a valid ISO 8601 time."]},
}

UNAUTHORIZED = OpenApiResponse(
    ErrorSerializer, description="No token, or a token that is not valid."
)
FORBIDDEN = OpenApiResponse(
    ErrorSerializer,
    description="The token's user is not active staff or lacks the permission.",
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description="No such object, or a page past the last one."
)
BAD_REQUEST = OpenApiResponse(
    VALIDATION_ERRORS_SCHEMA, description="Invalid parameters or body."
)
THROTTLED = OpenApiResponse(
    ErrorSerializer, description="Too many requests; retry after `Retry-After`."
)


class ApiAutoSchema(AutoSchema):
    """AutoSchema that documents the error responses of every operation.

    A response an operation declares with extend_schema wins over the
    default added here.
    """

    def get_serializer_name(self, serializer, direction) -> str:
        # COMPONENT_SPLIT_REQUEST appends "Request" to each request body's
        # component, so "CounterSaleRequestSerializer" would be documented
        # as "CounterSaleRequestRequest".
        name = super().get_serializer_name(serializer, direction)
        if direction == "request" and name.endswith("RequestSerializer"):
            name = name.removesuffix("RequestSerializer") + "Serializer"
        return name

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    response, code, direction=direction
                )
        return responses

    def _error_responses(self) -> dict[str, OpenApiResponse]:
        errors = {}
        if self.method in ("POST", "PUT", "PATCH") or self._has_query_validation():
            errors["400"] = BAD_REQUEST
        if self.get_auth():
            errors["401"] = UNAUTHORIZED
            errors["403"] = FORBIDDEN
        if "{" in self.path or self._is_paginated_list():
            errors["404"] = NOT_FOUND
        if self.view.get_throttles():
            errors["429"] = THROTTLED
        return errors

    def _has_query_validation(self) -> bool:
        return self.method == "GET" and (
            getattr(self.view, "filterset_class", None) is not None
            or getattr(self.view, "filterset_fields", None) is not None
            or self._has_strict_ordering()
        )

    def _has_strict_ordering(self) -> bool:
        backends = getattr(self.view, "filter_backends", [])
        return self._is_list_view() and any(
            issubclass(backend, StrictOrderingFilter) for backend in backends
        )

    def _is_paginated_list(self) -> bool:
        return (
            self.method == "GET"
            and self._is_list_view()
            and self._get_paginator() is not None
        )


TokenSerializer = inline_serializer(
    "Token", {"token": serializers.CharField(help_text="Send as `Token <key>`.")}
)


class TokenViewSchema(OpenApiViewExtension):
    """Document the token endpoint: no token needed, and its lockout."""

    target_class = "shop.api.auth_token.ThrottledObtainAuthToken"
    # Wins over drf-spectacular's own extension for ObtainAuthToken, which
    # documents neither the 400 nor the 429.
    priority = 1

    def view_replacement(self):
        @extend_schema(
            summary="Get the API token of a user",
            description=(
                "Trade a staff username and password for the user's "
                "token. The same token is returned until it is deleted in "
                "the admin. A customer account gets no token (HTTP 403). "
                "Failed attempts lock the username and address out for a "
                "while (HTTP 429)."
            ),
            auth=[],
            responses={
                200: TokenSerializer,
                400: OpenApiResponse(
                    VALIDATION_ERRORS_SCHEMA,
                    "Missing fields, or a wrong username or password.",
                ),
                403: OpenApiResponse(ErrorSerializer, "Not a staff account."),
                429: OpenApiResponse(ErrorSerializer, "Too many failed attempts."),
            },
        )
        class Fixed(self.target_class):
            pass

        return Fixed
