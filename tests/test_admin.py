"""The Django admin: every model of our apps has a page (or is an inline of one), every page
opens for staff, status fields are never editable, and repairs go through services."""
import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_q.models import Task

from apps.accounts.models import Role
from apps.coordination.models import Booking, CoordinationState, Event, PaymentInstallment, StuckRequest
from apps.coordination.services.bookings import CONFIRM_TASK, booking_confirm, booking_request
from apps.coordination.services.experts import expert_accept, expert_choose, expert_reassign
from apps.core.errors import Forbidden, NotFound
from apps.experts.models import Expert, ExpertMetrics
from apps.exports.share import share_link_create, share_link_resolve
from apps.requests.models import TravelerProfile
from apps.vendors.models import Slot
from tests.factories import (make_booking_state, make_expert, make_offering, make_request, make_slot, make_user,
                             make_vendor)
from tests.factories.bookings import request_booking
from tests.factories.worlds import make_every_model_world

pytestmark = pytest.mark.django_db

STATUS_FIELDS = {"status", "phase", "state"}  # a choices field with one of these names is a status


def our_models():
    return [model for model in apps.get_models() if model.__module__.startswith("apps.")]


def registered_or_inlined() -> set:
    inlined = {inline.model for model_admin in admin.site._registry.values() for inline in model_admin.inlines}
    return set(admin.site._registry) | inlined


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser():
    return make_user(Role.STAFF, is_superuser=True)


@pytest.fixture
def world(superuser):
    return make_every_model_world()


def test_every_model_of_our_apps_has_an_admin_page_or_is_an_inline():
    missing = [model._meta.label for model in our_models() if model not in registered_or_inlined()]
    assert missing == []


def test_every_changelist_and_change_page_opens_for_staff(client, superuser, world):
    client.force_login(superuser)
    failures = {}
    for model, model_admin in admin.site._registry.items():
        pages = [url(model, "changelist")]
        if model_admin.search_fields:
            pages.append(url(model, "changelist") + "?q=to")
        obj = model._default_manager.first()
        if obj is not None:
            pages.append(url(model, "change", obj.pk))
        elif model.__module__.startswith("apps."):
            failures[model._meta.label] = "no row in the test world: its change page is not checked"
        for page in pages:
            status = client.get(page).status_code
            if status != 200:
                failures[page] = status
    assert failures == {}


@pytest.mark.parametrize("object_id", ["9" * 20, "-9" + "9" * 19, "abc"])
def test_an_id_beyond_any_row_never_breaks_an_object_page(client, superuser, object_id):
    """Rows keyed by a one-to-one link (metrics, profiles) sent such ids to the database (500);
    now every change, history and delete page answers as for a missing row (or refuses)."""
    client.force_login(superuser)
    failures = {}
    for model in admin.site._registry:
        for view in ("change", "history", "delete"):
            page = url(model, view, object_id)
            for method in (client.get, client.post):
                status = method(page).status_code
                if status >= 500:
                    failures[f"{method.__name__} {page}"] = status
    assert failures == {}


def test_no_admin_form_can_edit_a_status(rf: RequestFactory, superuser, world):
    request = rf.get("/admin/")
    request.user = superuser
    editable = []
    for model in set(our_models()) & set(admin.site._registry):
        model_admin = admin.site._registry[model]
        obj = model._default_manager.first()
        forms = [(model, model_admin.get_form(request, obj))] if model_admin.has_change_permission(request, obj) else []
        forms += [(inline.model, inline.get_formset(request, obj).form)
                  for inline in model_admin.get_inline_instances(request, obj)
                  if inline.has_change_permission(request, obj) or inline.has_add_permission(request, obj)]
        for form_model, form in forms:
            status = {f.name for f in form_model._meta.fields if f.name in STATUS_FIELDS and f.choices}
            editable += [f"{model_admin}: {form_model._meta.label}.{name}" for name in status & set(form.base_fields)]
    assert editable == []


def test_state_page_shows_the_event_timeline_read_only(client, superuser, world):
    client.force_login(superuser)
    page = client.get(url(CoordinationState, "change", world.pk)).content.decode()
    assert "request.submitted" in page and "itinerary.proposed" in page and "message.posted" in page
    assert 'name="events-0-type"' not in page and 'name="phase"' not in page


def test_recompute_rebuilds_metrics_from_history(client, superuser, world):
    stale = ExpertMetrics.objects.get()  # the world's row claims a review the expert never had
    client.force_login(superuser)
    response = client.post(url(ExpertMetrics, "changelist"),
                           {"action": "recompute", "_selected_action": [stale.pk]}, follow=True)
    assert response.status_code == 200
    assert not ExpertMetrics.objects.filter(pk=stale.pk).exists()  # no history: the rebuild drops the row

    profile = TravelerProfile.objects.get()
    client.post(url(TravelerProfile, "changelist"), {"action": "recompute", "_selected_action": [profile.pk]})
    profile.refresh_from_db()  # the traveler reviewed a vendor: learned, not the seeded trip
    assert (profile.trips_completed, profile.reviews_given, profile.rating_given_avg) == (0, 1, Decimal("5.00"))


def test_revoke_share_link_goes_through_the_share_service(client, superuser, world):
    link = share_link_create(request=world.request, actor=world.request.traveler)
    assert share_link_resolve(link.token) == link
    client.force_login(superuser)
    client.post(url(type(link), "changelist"), {"action": "revoke", "_selected_action": [link.pk]})
    with pytest.raises(NotFound):
        share_link_resolve(link.token)


def test_record_payment_goes_through_the_engine(client, superuser, world):
    installment = PaymentInstallment.objects.get()
    version = CoordinationState.objects.get(pk=world.pk).version
    client.force_login(superuser)
    client.post(url(PaymentInstallment, "changelist"), {"action": "record_payment",
                                                        "_selected_action": [installment.pk]})
    installment.refresh_from_db()
    assert installment.paid_at is not None
    event = Event.objects.get(state_id=world.pk, version=version + 1)
    assert (event.type, event.actor_id) == ("booking.payment_recorded", superuser.pk)


def _request_with_bookings():
    """An accepted expert (one unit of capacity taken) and, in the booking phase, one
    confirmed booking of a vendor with a strict policy and one pending booking."""
    traveler = make_user(Role.TRAVELER)
    expert = make_expert(capacity_max=3)
    state = make_request(traveler)
    expert_choose(state_id=state.pk, actor=traveler, expert_id=expert.pk)
    expert_accept(state_id=state.pk, actor=expert.user)
    CoordinationState.objects.filter(pk=state.pk).update(phase="booking")  # set-up: the plan was approved
    strict = make_vendor(confirmation="manual", cancellation_tiers=[{"hours": 24 * 30, "refund_pct": 100},
                                                                    {"hours": 0, "refund_pct": 25}])
    relaxed = make_vendor(confirmation="manual")
    confirmed = booking_request(state_id=state.pk, actor=traveler, quantity=1, slot_id=make_slot(
        make_offering(strict, base_price=Decimal("100.00")), capacity=4).pk)
    booking_confirm(booking_id=confirmed.pk, actor=strict.user, reference="STRICT-1")
    pending = booking_request(state_id=state.pk, actor=traveler, quantity=2, slot_id=make_slot(
        make_offering(relaxed, base_price=Decimal("40.00")), capacity=4).pk)
    return state, expert, confirmed, pending


def test_cancel_request_runs_the_cancel_command(client, superuser):
    state, expert, confirmed, pending = _request_with_bookings()
    assert Expert.objects.get(pk=expert.pk).capacity_current == 1
    client.force_login(superuser)
    changelist = url(CoordinationState, "changelist")
    asked = client.post(changelist, {"action": "cancel_request", "_selected_action": [state.pk]})
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    assert CoordinationState.objects.get(pk=state.pk).phase == "booking"

    client.post(changelist, {"action": "cancel_request", "_selected_action": [state.pk], "apply": "1",
                             "reason": "The traveler called: family emergency"})
    state.refresh_from_db()
    confirmed.refresh_from_db()
    pending.refresh_from_db()
    assert state.phase == "cancelled" and Expert.objects.get(pk=expert.pk).capacity_current == 0
    # 10 days before the start: the strict vendor refunds 25 %, an unconfirmed hold in full.
    assert (confirmed.status, confirmed.refund_amount) == ("cancelled", Decimal("25.00"))
    assert (pending.status, pending.refund_amount) == ("cancelled", pending.price)
    assert [s.capacity_available for s in Slot.objects.filter(pk__in=[confirmed.slot_id, pending.slot_id])] == [4, 4]
    events = list(Event.objects.filter(state=state).order_by("-version")[:3])
    assert [(e.type, e.actor_id) for e in events] == [("request.cancelled", superuser.pk),
                                                      ("booking.cancelled", superuser.pk),
                                                      ("booking.cancelled", superuser.pk)]
    assert events[0].payload == {"reason": "The traveler called: family emergency"}


def test_cancel_request_reports_a_refusal(client, superuser):
    state = make_request()
    CoordinationState.objects.filter(pk=state.pk).update(phase="in_progress")  # set-up: the trip began
    client.force_login(superuser)
    refused = client.post(url(CoordinationState, "changelist"), {
        "action": "cancel_request", "_selected_action": [state.pk], "apply": "1", "reason": "typo"}, follow=True)
    assert any(m.level_tag == "error" for m in refused.context["messages"])
    assert CoordinationState.objects.get(pk=state.pk).phase == "in_progress"
    assert Event.objects.filter(state=state).count() == 1


def test_booking_confirm_and_cancel_run_the_booking_commands(client, superuser):
    state, _, confirmed, pending = _request_with_bookings()
    client.force_login(superuser)
    changelist = url(Booking, "changelist")
    client.post(changelist, {"action": "confirm_booking", "_selected_action": [pending.pk]})
    pending.refresh_from_db()
    event = Event.objects.filter(state=state).latest("version")
    assert pending.status == "confirmed" and pending.reference
    assert (event.type, event.actor_id) == ("booking.confirmed", superuser.pk)

    client.post(changelist, {"action": "cancel_booking", "_selected_action": [confirmed.pk]})
    confirmed.refresh_from_db()
    event = Event.objects.filter(state=state).latest("version")
    assert (confirmed.status, confirmed.refund_amount) == ("cancelled", Decimal("25.00"))
    assert (event.type, event.actor_id) == ("booking.cancelled", superuser.pk)



def _silent_expert_request():
    """A request whose chosen expert let the promised response time pass twice (reminded)."""
    state = make_request()
    expert = make_expert(response_time_hours=4)
    expert_choose(state_id=state.pk, actor=state.request.traveler, expert_id=expert.pk)
    Event.objects.filter(state=state, type="expert.chosen").update(
        created_at=timezone.now() - dt.timedelta(hours=5))
    return state, expert


def test_stuck_requests_list_why_and_their_actions_call_the_commands(client, superuser):
    silent, expert = _silent_expert_request()
    overdue_state = make_booking_state()
    late = request_booking(state=overdue_state, confirmation="manual")
    other_late = request_booking(state=overdue_state, confirmation="manual")
    Booking.objects.filter(pk__in=[late.pk, other_late.pk]).update(deadline=timezone.now() - dt.timedelta(hours=1))
    failed_state = make_booking_state()
    failed = request_booking(state=failed_state)
    Task.objects.create(id="f1", name="f1", func=CONFIRM_TASK, args=(failed.pk,), success=False,
                        started=timezone.now(), stopped=timezone.now(), result="boom")
    calm = make_request()

    client.force_login(superuser)
    changelist = url(StuckRequest, "changelist")
    page = client.get(changelist).content.decode()
    assert f"{expert} has not answered within 4 hours" in page
    assert f"{late.offering.title}: the vendor has not answered by the deadline" in page
    assert "A task failed: confirm_instant_booking" in page
    listed = set(client.get(changelist).context["cl"].queryset.values_list("pk", flat=True))
    assert listed == {silent.pk, overdue_state.pk, failed_state.pk} and calm.pk not in listed
    assert 'name="_save"' not in client.get(url(StuckRequest, "change", silent.pk)).content.decode()

    client.post(changelist, {"action": "reassign_expert", "_selected_action": [silent.pk]})
    silent.refresh_from_db()
    assert silent.expert_id is None and Event.objects.filter(state=silent, type="expert.reassigned").count() == 1

    quiet, _expert = _silent_expert_request()
    client.post(changelist, {"action": "remind", "_selected_action": [quiet.pk, overdue_state.pk]})
    assert Event.objects.filter(state=quiet, type="expert.reminded").count() == 1
    assert Booking.objects.get(pk=late.pk).reminded_at is not None

    Booking.objects.filter(pk=other_late.pk).update(deadline=timezone.now() + dt.timedelta(hours=1))
    client.post(changelist, {"action": "confirm_overdue_bookings", "_selected_action": [overdue_state.pk]})
    assert Booking.objects.get(pk=late.pk).status == "confirmed"
    assert Booking.objects.get(pk=other_late.pk).status == "pending"  # not overdue: left to its vendor
    Booking.objects.filter(pk=other_late.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    client.post(changelist, {"action": "cancel_overdue_bookings", "_selected_action": [overdue_state.pk]})
    assert Booking.objects.get(pk=other_late.pk).status == "cancelled"
    assert overdue_state.pk not in set(client.get(changelist).context["cl"].queryset.values_list("pk", flat=True))


def test_only_staff_reassign_an_expert(superuser):
    state, expert = _silent_expert_request()
    with pytest.raises(Forbidden):
        expert_reassign(state_id=state.pk, actor=state.request.traveler)
    assert expert_reassign(state_id=state.pk, actor=superuser).expert_id is None


def test_read_only_pages_have_no_save_button_and_labels_are_real_plurals(client, superuser, world):
    client.force_login(superuser)
    for model in (CoordinationState, Booking, Event):
        obj = model.objects.first()
        assert 'name="_save"' not in client.get(url(model, "change", obj.pk)).content.decode(), model
    index = client.get(reverse("admin:index")).content.decode()
    assert ">Itineraries<" in index and ">Expert metrics<" in index and ">Stuck requests<" in index
    assert "Itinerarys" not in index and "metricss" not in index
