"""Writes of accounts: sign-up and profile settings."""
from django.db import transaction

from .models import Role, User


@transaction.atomic
def user_create(*, username: str, email: str, password: str, role: str = Role.TRAVELER,
                first_name: str = "", last_name: str = "", time_zone: str = "UTC", currency: str = "USD") -> User:
    """Create a user with a role; staff users also get Django admin access."""
    user = User(username=username, email=email, role=role, first_name=first_name, last_name=last_name,
                time_zone=time_zone, currency=currency, is_staff=role == Role.STAFF)
    user.set_password(password)
    user.save()
    return user
