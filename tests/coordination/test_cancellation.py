"""Cancelling as the traveler sees it: the refund each vendor's policy gives is shown first
(``cancellation_preview``) and is exactly what the cancellation then gives, for one
booking and for the whole request (engine, REST and portal)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.coordination.booking_tasks import confirm_instant_booking
from apps.coordination.models import Booking, CoordinationState
from apps.coordination.phases import BookingStatus, Phase
from apps.coordination.services.lifecycle import cancellation_preview
from apps.core.errors import Forbidden
from apps.accounts.models import Role
from tests.api.test_flow_api import client_for
from tests.factories import make_booking_state, make_expert, make_user, make_vendor
from tests.factories.bookings import request_booking

pytestmark = pytest.mark.django_db

TIERS = [{"hours": 72, "refund_pct": 100}, {"hours": 24, "refund_pct": 50}]


def _trip():
    """A request with three bookings: confirmed in two days (50 % back), confirmed in ten
    days (all back) and one still pending (all back)."""
    state = make_booking_state(expert=make_expert())
    soon = request_booking(vendor=make_vendor(cancellation_tiers=TIERS), quantity=2, state=state,
                           start=timezone.now() + dt.timedelta(days=2))
    later = request_booking(vendor=make_vendor(cancellation_tiers=TIERS), state=state,
                            start=timezone.now() + dt.timedelta(days=10))
    pending = request_booking(vendor=make_vendor(confirmation="manual", cancellation_tiers=TIERS), state=state,
                              start=timezone.now() + dt.timedelta(days=1))
    for booking in (soon, later):
        confirm_instant_booking(booking.pk)
    return state, soon, later, pending


def _refunds(rows) -> dict[int, str]:
    return {row["booking"]: row["refund"]["amount"] for row in rows}


def test_the_preview_is_what_cancelling_one_booking_and_then_the_request_gives_back():
    state, soon, later, pending = _trip()
    traveler = state.request.traveler
    one = cancellation_preview(state_id=state.pk, actor=traveler, booking_id=soon.pk)
    assert [(r["booking"], r["refund"]["amount"], r["refund_percent"]) for r in one["bookings"]] == [
        (soon.pk, "50.00", "50")]

    client = client_for(traveler)
    assert client.post(f"/api/v1/bookings/{soon.pk}/cancel/", {"reason": "ill"}).status_code == 200
    assert Booking.objects.get(pk=soon.pk).refund_amount == Decimal(one["bookings"][0]["refund"]["amount"])

    preview = client.get(f"/api/v1/requests/{state.request_id}/cancel/").json()
    assert preview["cancellable"] is True
    assert _refunds(preview["bookings"]) == {later.pk: "50.00", pending.pk: "50.00"}
    assert preview["refund_total"] == [{"amount": "100.00", "currency": "JPY"}]

    done = client.post(f"/api/v1/requests/{state.request_id}/cancel/", {"reason": "plans changed"}).json()
    assert done["phase"] == Phase.CANCELLED
    assert _refunds(done["bookings"]) == _refunds(preview["bookings"])
    assert done["refund_total"] == preview["refund_total"]
    assert {b.pk: (b.status, f"{b.refund_amount}") for b in Booking.objects.filter(pk__in=[later.pk, pending.pk])} == {
        later.pk: (BookingStatus.CANCELLED, "50.00"), pending.pk: (BookingStatus.CANCELLED, "50.00")}

    again = client.get(f"/api/v1/requests/{state.request_id}/cancel/").json()
    assert again == {"cancellable": False, "bookings": [], "refund_total": []}


def test_only_the_traveler_cancels_the_request_and_errors_have_the_api_shape():
    state, *_ = _trip()
    expert = client_for(state.expert.user)
    refused = expert.post(f"/api/v1/requests/{state.request_id}/cancel/")
    assert refused.status_code == 403 and set(refused.json()) == {"code", "detail", "fields"}
    outsider = client_for(make_user(Role.TRAVELER)).get(f"/api/v1/requests/{state.request_id}/cancel/")
    assert outsider.status_code == 404 and set(outsider.json()) == {"code", "detail", "fields"}
    with pytest.raises(Forbidden):
        cancellation_preview(state_id=state.pk, actor=state.expert.user)
    assert CoordinationState.objects.get(pk=state.pk).phase == Phase.BOOKING


def test_the_portal_shows_the_refunds_before_cancelling_and_gives_exactly_those(client):
    state, soon, later, pending = _trip()
    client.force_login(state.request.traveler)
    page = client.get(reverse("traveler:booking_cancel", args=[state.request_id, soon.pk]))
    assert page.status_code == 200 and b"Yes, cancel this booking" in page.content
    assert b"50.00 JPY" in page.content and b"(50 %)" in page.content
    client.post(reverse("traveler:booking_cancel", args=[state.request_id, soon.pk]))
    assert Booking.objects.get(pk=soon.pk).refund_amount == Decimal("50.00")
    assert client.get(reverse("traveler:booking_cancel", args=[state.request_id, soon.pk])).status_code == 404

    overview = client.get(reverse("traveler:request_detail", args=[state.request_id])).content.decode()
    assert reverse("traveler:request_cancel", args=[state.request_id]) in overview
    assert reverse("traveler:booking_cancel", args=[state.request_id, later.pk]) in overview

    page = client.get(reverse("traveler:request_cancel", args=[state.request_id])).content.decode()
    preview = cancellation_preview(state_id=state.pk, actor=state.request.traveler)
    assert f'data-refund-total>{preview["refund_total"][0]["amount"]} JPY<' in page
    client.post(reverse("traveler:request_cancel", args=[state.request_id]), {"reason": "plans changed"})
    assert CoordinationState.objects.get(pk=state.pk).phase == Phase.CANCELLED
    assert {b.pk: f"{b.refund_amount}" for b in Booking.objects.filter(pk__in=[later.pk, pending.pk])} == _refunds(
        preview["bookings"])
    assert b"can no longer be cancelled" in client.get(reverse("traveler:request_cancel",
                                                               args=[state.request_id])).content
