"""Stored answers of idempotent API calls. Deleting a key lets a client's retry run afresh."""
from django.contrib import admin

from apps.core.admin import NoEditMixin

from .models import IdempotencyKey


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(NoEditMixin, admin.ModelAdmin):
    list_display = ("key", "user", "status_code", "created_at")
    list_filter = ("status_code",)
    search_fields = ("key", "user__username")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
