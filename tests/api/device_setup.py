"""Token clients for the device endpoints: by role or by permission."""

from django.contrib.auth.models import Permission, User
from rest_framework.test import APIClient

from tests.api.conftest import client_for, token_user


def role_client(role: str | None, *, is_staff: bool = True) -> tuple[APIClient, User]:
    """Return a token client for a new user in `role`, and the user."""
    user = token_user(role, is_staff=is_staff)
    return client_for(user), user


def permission_client(*perms: str) -> tuple[APIClient, User]:
    """Return a token client for a new staff user holding only `perms`.

    Permissions are granted directly, not through a role group, because a
    transactional test's flush removes the groups the migrations created.
    """
    user = token_user(None)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return client_for(user), user
