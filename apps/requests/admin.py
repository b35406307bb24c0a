from django.contrib import admin

from .models import ExperienceRequest


@admin.register(ExperienceRequest)
class ExperienceRequestAdmin(admin.ModelAdmin):
    list_display = ("id", "__str__", "traveler", "experience_type", "destination", "start_date", "end_date", "path",
                    "phase")
    list_filter = ("experience_type", "path", "pace", "country")
    search_fields = ("destination", "title", "traveler__username", "traveler__email")
    date_hierarchy = "start_date"
    list_select_related = ("traveler", "coordination")
    raw_id_fields = ("traveler",)

    @admin.display(description="Status")
    def phase(self, obj):
        return obj.coordination.get_phase_display() if hasattr(obj, "coordination") else "—"
