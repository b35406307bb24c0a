from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "role", "first_name", "last_name", "is_active", "date_joined")
    list_filter = ("role", "is_active", "is_staff")
    fieldsets = BaseUserAdmin.fieldsets + (("Traveloure", {"fields": ("role", "time_zone", "currency", "locale", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Traveloure", {"fields": ("role", "email")}),)
