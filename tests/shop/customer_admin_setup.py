"""Staff users and form data for tests of the Customer admin pages."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

# The customer form's address inline with no rows, as the admin posts it.
NO_ADDRESSES = {
    "addresses-TOTAL_FORMS": "0",
    "addresses-INITIAL_FORMS": "0",
    "addresses-MIN_NUM_FORMS": "0",
    "addresses-MAX_NUM_FORMS": "1000",
}


def staff_with(*codenames, username="clerk"):
    """Create a staff user with only the named shop permissions."""
    user = get_user_model().objects.create_user(username, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="shop", codename__in=codenames
        )
    )
    return user
