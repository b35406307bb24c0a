"""Admin building blocks. Staff inspect and repair through services: rows that services or
tasks write (events, states, metrics, versions) are view-only here, and every repair is
an admin action that calls a service."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import DomainError


class NoEditMixin:
    """No adding or changing (deleting stays as the admin allows it): for rows a service,
    a task or the user's own browser writes, which staff may only drop."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ImmutableMixin(NoEditMixin):
    """View only: the row is history (events, versions) or recomputed from it (metrics)."""

    def has_delete_permission(self, request, obj=None):
        return False


class ImmutableInline(ImmutableMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields or [field.name for field in self.model._meta.fields]


def recompute_action(refresh: Callable[[Iterable], int], key: str) -> Callable:
    """An admin action "Recompute" calling ``refresh`` with the selected rows' ``key`` values
    (the insights refresh functions take the people's ids or destinations)."""

    @admin.action(description=gettext_lazy("Recompute from the event log, bookings and reviews"))
    def recompute(modeladmin, request, queryset):
        written = refresh(set(queryset.values_list(key, flat=True)))
        modeladmin.message_user(request, _("Recomputed: %(n)d written (rows without history are removed).")
                                % {"n": written})

    return recompute


def call_per_object(modeladmin, request, queryset, service: Callable[[Any], object],
                    done: Callable[[Any], str]) -> None:
    """Run ``service(obj)`` for each selected object, one message per object: ``done(obj)``
    or the DomainError's message. One refusal does not stop the others."""
    for obj in queryset:
        try:
            service(obj)
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", level=messages.ERROR)
        else:
            modeladmin.message_user(request, done(obj))
