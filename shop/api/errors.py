"""Errors that API views raise beyond DRF's own, with their OpenAPI
descriptions. Bodies have the shapes shop.api.schema documents."""

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings

from .schema import ErrorSerializer


class Conflict(APIException):
    """The record is in a state that does not allow the request (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record changed; reload it and try again."
    default_code = "conflict"


def invalid(message: str, field: str = "") -> serializers.ValidationError:
    """Build a 400 error whose body names `field` (or the whole request).

    For service errors raised after the request's fields passed
    validation, so every 400 body has one shape: field name to a list of
    messages, `non_field_errors` for the request as a whole.
    """
    return serializers.ValidationError(
        {field or api_settings.NON_FIELD_ERRORS_KEY: [message]}
    )


def conflict_response(description: str) -> OpenApiResponse:
    """Describe a 409 response for extend_schema."""
    return OpenApiResponse(ErrorSerializer, description=description)


@csrf_exempt
def endpoint_not_found(request: HttpRequest) -> JsonResponse:
    """Return a JSON 404 for a URL under /api/ that names no endpoint.

    Without it Django's HTML 404 page reaches clients that parse JSON.
    Exempt from CSRF so that a POST gets the 404 rather than a 403.
    """
    message = (
        f"No API endpoint at {request.path}. Check the path and the id in it "
        f"against the endpoints listed at {reverse('api-docs')}."
    )
    return JsonResponse({"detail": message}, status=status.HTTP_404_NOT_FOUND)
