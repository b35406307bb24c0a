from rest_framework.permissions import BasePermission


class HasRole(BasePermission):
    """Mirrors the portal gates: the caller must have ``role``."""

    def __init__(self, role: str):
        self.role = role

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.role == self.role)
