"""Places (editable platform data), itinerary versions (view-only: a version never changes
once proposed; the engine writes them) and their outputs: export jobs, share links and
calendar feeds, revoked through the share service."""
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.admin import ImmutableInline, ImmutableMixin, NoEditMixin, call_per_object

from .exports.share import token_link_revoke
from .models import CalendarSubscription, Day, ExportJob, Item, Itinerary, Place, ShareLink


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


@admin.register(ExportJob)
class ExportJobAdmin(NoEditMixin, admin.ModelAdmin):
    """Deleting a job makes the next request render the file again."""

    list_display = ("itinerary", "kind", "status", "progress", "requested_by", "finished_at", "updated_at")
    list_filter = ("kind", "status")
    search_fields = ("itinerary__request__destination", "requested_by__username")
    list_select_related = ("itinerary__request", "requested_by")


class TokenLinkAdmin(ImmutableMixin, admin.ModelAdmin):
    """Capability links: the secret is never shown; revoking goes through the share service."""

    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("request__destination", "request__traveler__username")
    list_select_related = ("request", "created_by")
    actions = ["revoke"]

    @admin.action(description=gettext_lazy("Revoke (the link answers 404 from now on)"))
    def revoke(self, request, queryset):
        call_per_object(self, request, queryset.select_related("request__coordination__expert"),
                        lambda link: token_link_revoke(link=link, actor=request.user),
                        lambda link: _("%(obj)s: revoked.") % {"obj": link})


@admin.register(ShareLink)
class ShareLinkAdmin(TokenLinkAdmin):
    list_display = ("__str__", "request", "created_by", "created_at", "expires_at", "revoked_at", "expired")
    fields = ("request", "created_by", "created_at", "expires_at", "revoked_at")

    @admin.display(description=gettext_lazy("Expired"), boolean=True)
    def expired(self, obj):
        return obj.expires_at is not None and obj.expires_at <= timezone.now()


@admin.register(CalendarSubscription)
class CalendarSubscriptionAdmin(TokenLinkAdmin):
    list_display = ("__str__", "request", "created_by", "created_at", "revoked_at")
    fields = ("request", "created_by", "created_at", "revoked_at")
