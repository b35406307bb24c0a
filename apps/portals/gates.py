"""Portal gates: every portal view names the role it serves (see apps.coordination.access)."""
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied

from apps.accounts.models import Role
from apps.coordination.access import has_role


class RoleRequiredMixin(AccessMixin):
    """Anonymous → login page; signed in with another role → 403."""

    role: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, self.role):
            raise PermissionDenied("This portal is for another role.")
        return super().dispatch(request, *args, **kwargs)


class TravelerPortalMixin(RoleRequiredMixin):
    role = Role.TRAVELER


class ExpertPortalMixin(RoleRequiredMixin):
    role = Role.EXPERT


class VendorPortalMixin(RoleRequiredMixin):
    role = Role.VENDOR



# The base template of each role's portal (it carries the portal's navigation).
PORTAL_BASES = {Role.TRAVELER: "traveler/base.html", Role.EXPERT: "expert/base.html", Role.VENDOR: "vendor/base.html"}


def portal_base(user) -> str:
    """The base template of the signed-in user's portal; the plain one for staff and visitors."""
    return PORTAL_BASES.get(getattr(user, "role", None), "base.html")
