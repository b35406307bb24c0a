"""Places (editable platform data) and itinerary versions (view-only: a version never changes
once proposed; the engine writes them). Their outputs are in ``apps.exports.admin``."""
from django.contrib import admin
from django.utils.translation import gettext_lazy

from apps.core.admin import ImmutableInline, ImmutableMixin

from .models import Day, Item, Itinerary, Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "category", "indoor", "typical_visit_min", "price", "currency")
    list_filter = ("city", "category", "indoor")
    search_fields = ("name", "city")


class DayInline(ImmutableInline):
    model = Day
    fields = ("date", "weather", "notes")
    show_change_link = True


@admin.register(Itinerary)
class ItineraryAdmin(ImmutableMixin, admin.ModelAdmin):
    list_display = ("__str__", "version", "state", "author_role", "total", "currency", "missing_data", "created_at")
    list_filter = ("state", "author_role")
    search_fields = ("request__destination", "request__traveler__username")
    list_select_related = ("request",)
    inlines = [DayInline]

    @admin.display(description=gettext_lazy("Missing data"), boolean=True)
    def missing_data(self, obj):
        return bool(obj.data_notes)


class ItemInline(ImmutableInline):
    model = Item
    fields = ("start", "end", "kind", "title", "offering", "price", "currency", "travel_from_previous_min")
    show_change_link = True


@admin.register(Day)
class DayAdmin(ImmutableMixin, admin.ModelAdmin):
    list_display = ("itinerary", "date")
    search_fields = ("itinerary__request__destination",)
    list_select_related = ("itinerary__request",)
    inlines = [ItemInline]


@admin.register(Item)
class ItemAdmin(ImmutableMixin, admin.ModelAdmin):
    list_display = ("title", "day", "kind", "start", "end", "offering", "price", "currency", "pinned")
    list_filter = ("kind", "pinned")
    search_fields = ("title", "place_name", "day__itinerary__request__destination")
    list_select_related = ("day", "offering__vendor")
