"""Staff inspect imports (and may drop one); only the uploader's preview and confirm write them."""
from django.contrib import admin

from apps.core.admin import NoEditMixin

from .models import ConfirmationImport


@admin.register(ConfirmationImport)
class ConfirmationImportAdmin(NoEditMixin, admin.ModelAdmin):
    list_display = ("file_name", "request", "uploaded_by", "source", "status", "created_at")
    list_filter = ("status", "source")
    search_fields = ("file_name",)
    list_select_related = ("request", "uploaded_by")
