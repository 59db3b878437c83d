"""API clients authenticated with a token, one per staff role."""

import itertools

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

_usernames = itertools.count(1)


def token_user(role: str | None, *, is_staff: bool = True) -> User:
    """Create a user in the role group `role` (None: no group) with a token."""
    user = User.objects.create_user(
        username=f"device{next(_usernames)}", is_staff=is_staff
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    Token.objects.create(user=user)
    return user


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {user.auth_token.key}")
    return client


@pytest.fixture
def api_client_for(db):
    """Return a function that builds a token client for a role name."""

    def build(role: str | None, *, is_staff: bool = True) -> APIClient:
        return client_for(token_user(role, is_staff=is_staff))

    return build
