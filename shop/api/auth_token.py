"""The API token endpoint, with django-axes' sign-in throttling.

DRF's AuthTokenSerializer passes its own Request to authenticate(), so
django-axes counts the failures and rejects a locked-out pair. It marks
the lockout on that Request, though, not on the HttpRequest that
AxesMiddleware reads. This view returns HTTP 429 for a lockout and clears
the pair's failures on success, as a form sign-in does.
"""

from axes.utils import reset
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from ..login_throttling import TOO_MANY_REQUESTS, staff_lockout_message


class ThrottledObtainAuthToken(ObtainAuthToken):
    """Return a user's API token for a username and password."""

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            if not getattr(request, "axes_locked_out", False):
                raise
            return self._lockout_response(request)

        user = serializer.validated_data["user"]
        ip_address = getattr(request, "axes_ip_address", None)
        if ip_address:
            reset(ip=ip_address, username=user.get_username())
        if not user.is_staff:
            # Every API endpoint requires a staff account, so a customer's
            # token would open nothing; none is issued.
            return Response(
                {
                    "detail": f"{user.get_username()} is not a staff account; "
                    "API tokens are for staff and device accounts. Ask a "
                    "manager for a device account."
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    def _lockout_response(self, request) -> Response:
        username = str(request.data.get("username", "")).strip()
        return Response(
            {"detail": staff_lockout_message(username)},
            status=TOO_MANY_REQUESTS,
        )
