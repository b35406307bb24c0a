"""Admin building blocks. Staff inspect and repair through services: rows that services or
tasks write (events, states, metrics, versions) are view-only here, and every repair is
an admin action that calls a service."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.db import connection
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


class LinkKeyMixin:
    """For rows keyed by a one-to-one link (metrics, profiles). Django keeps an integer id
    beyond its column's range out of its own lookups, but not through a relation: such an
    id reached the database (OverflowError on SQLite, DataError on PostgreSQL). It is now
    a row that does not exist, as any other unknown id."""

    def get_object(self, request, object_id, from_field=None):
        if from_field is None:
            low, high = connection.ops.integer_field_range(self.model._meta.pk.target_field.get_internal_type())
            try:
                in_range = low <= int(object_id) <= high
            except (TypeError, ValueError):
                in_range = False
            if not in_range:
                return None
        return super().get_object(request, object_id, from_field)


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
