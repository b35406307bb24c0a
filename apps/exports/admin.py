"""Staff view of the traveler's outputs: export jobs, share links and calendar feeds
(revoked through the share service)."""
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.admin import ImmutableMixin, NoEditMixin, call_per_object
from apps.itineraries.models import CalendarSubscription, ExportJob, ShareLink

from .share import token_link_revoke


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
