"""Portal gates: every portal view names the role it serves."""
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied

from apps.accounts.models import Role


class RoleRequiredMixin(AccessMixin):
    """Anonymous → login page; signed in with another role → 403."""

    role: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.user.role != self.role:
            raise PermissionDenied("This portal is for another role.")
        return super().dispatch(request, *args, **kwargs)


class TravelerPortalMixin(RoleRequiredMixin):
    role = Role.TRAVELER


class ExpertPortalMixin(RoleRequiredMixin):
    role = Role.EXPERT


class VendorPortalMixin(RoleRequiredMixin):
    role = Role.VENDOR
