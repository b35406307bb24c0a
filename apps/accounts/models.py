from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TRAVELER = "traveler", _("Traveler")
    EXPERT = "expert", _("Local expert")
    VENDOR = "vendor", _("Vendor")
    STAFF = "staff", _("Staff")


PORTAL_HOME = {
    Role.TRAVELER: "/traveler/",
    Role.EXPERT: "/expert/",
    Role.VENDOR: "/vendor/",
    Role.STAFF: "/admin/",
}


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.TRAVELER, db_index=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    currency = models.CharField(max_length=3, default="USD")
    locale = models.CharField(max_length=16, default="en")
    phone = models.CharField(max_length=32, blank=True)

    @property
    def portal_home(self) -> str:
        return PORTAL_HOME.get(self.role, "/traveler/")

    def display_name(self) -> str:
        return self.get_full_name() or self.username
