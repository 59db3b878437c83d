"""API permissions: the admin's model permissions, reads included."""

from rest_framework.permissions import BasePermission, DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    """Require an active staff user with the model permission the admin
    would ask for.

    DRF's DjangoModelPermissions lets any authenticated user read. Here a
    GET or HEAD needs the model's view permission, as the admin does.
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_staff):
            return False
        return super().has_permission(request, view)


def require_permissions(*perms: str) -> type[BasePermission]:
    """Build a permission class that requires an active staff user holding
    every one of `perms` ("app_label.codename").

    For views without a queryset, and for actions that need more than the
    HTTP method's model permission (marking a shipment shipped, say).
    """

    class RequiredPermissions(BasePermission):
        message = "Your account lacks the permission: " + ", ".join(perms) + "."

        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(
                user
                and user.is_authenticated
                and user.is_staff
                and user.has_perms(perms)
            )

    RequiredPermissions.__name__ = "Require_" + "_".join(
        perm.replace(".", "_") for perm in perms
    )
    return RequiredPermissions
