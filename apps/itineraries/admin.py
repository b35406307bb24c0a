from django.contrib import admin

from .models import Day, Item, Itinerary, Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "category", "indoor", "typical_visit_min", "price", "currency")
    list_filter = ("city", "category", "indoor")
    search_fields = ("name", "city")


class DayInline(admin.TabularInline):
    model = Day
    extra = 0
    fields = ("date", "notes")
    show_change_link = True


@admin.register(Itinerary)
class ItineraryAdmin(admin.ModelAdmin):
    list_display = ("__str__", "version", "state", "author_role", "total", "currency", "created_at")
    list_filter = ("state", "author_role")
    readonly_fields = ("state", "version")
    inlines = [DayInline]
    raw_id_fields = ("request",)


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = ("start", "end", "kind", "title", "offering", "price", "currency")
    raw_id_fields = ("offering", "slot", "place")


@admin.register(Day)
class DayAdmin(admin.ModelAdmin):
    list_display = ("itinerary", "date")
    inlines = [ItemInline]
    raw_id_fields = ("itinerary",)
