"""Scoped reads of coordination data. Out of scope reads as not found."""
from django.db.models import QuerySet

from apps.accounts.models import Role
from apps.requests.models import ExperienceRequest

from .models import Booking, CoordinationState, Event


def request_list_for_user(user) -> QuerySet[ExperienceRequest]:
    """Requests the user may see: own (traveler), clients (expert), with own bookings (vendor), all (staff)."""
    qs = ExperienceRequest.objects.select_related("coordination", "coordination__expert__user", "traveler")
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.STAFF or user.is_superuser:
        return qs
    if user.role == Role.TRAVELER:
        return qs.filter(traveler=user)
    if user.role == Role.EXPERT:
        return qs.filter(coordination__expert__user=user)
    if user.role == Role.VENDOR:
        return qs.filter(coordination__bookings__vendor__user=user).distinct()
    return qs.none()


def request_get_for_user(user, request_id: int) -> ExperienceRequest | None:
    return request_list_for_user(user).filter(pk=request_id).first()


def state_visible_to(user, state: CoordinationState) -> bool:
    """Whether ``user`` sees the whole request (traveler, its expert, staff)."""
    if not user.is_authenticated:
        return False
    if user.role == Role.STAFF or user.is_superuser:
        return True
    if user.role == Role.TRAVELER:
        return state.request.traveler_id == user.pk
    if user.role == Role.EXPERT:
        return state.expert_id is not None and state.expert.user_id == user.pk
    return False


def event_list_for_user(user, request_id: int) -> QuerySet[Event]:
    """The request's timeline for traveler/expert/staff; none for others."""
    request = request_get_for_user(user, request_id)
    if request is None or not state_visible_to(user, request.coordination):
        return Event.objects.none()
    return Event.objects.filter(state__request_id=request_id).select_related("actor").order_by("version")


def booking_list_for_user(user) -> QuerySet[Booking]:
    qs = Booking.objects.select_related("offering", "vendor", "slot", "state__request")
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.STAFF or user.is_superuser:
        return qs
    if user.role == Role.TRAVELER:
        return qs.filter(state__request__traveler=user)
    if user.role == Role.EXPERT:
        return qs.filter(state__expert__user=user)
    if user.role == Role.VENDOR:
        return qs.filter(vendor__user=user)
    return qs.none()


def booking_get_for_user(user, booking_id: int) -> Booking | None:
    return booking_list_for_user(user).filter(pk=booking_id).first()


