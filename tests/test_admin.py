"""The Django admin: every model of our apps has a page (or is an inline of one), every page
opens for staff, status fields are never editable, and repairs go through services."""
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from apps.accounts.models import Role
from apps.coordination.models import CoordinationState, Event, PaymentInstallment
from apps.core.errors import NotFound
from apps.experts.models import ExpertMetrics
from apps.itineraries.exports.share import share_link_create, share_link_resolve
from apps.requests.models import TravelerProfile
from tests.factories import make_user
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


def test_change_phase_goes_through_the_engine_and_reports_refusals(client, superuser, world):
    client.force_login(superuser)
    changelist = url(CoordinationState, "changelist")
    refused = client.post(changelist, {"action": "change_phase", "_selected_action": [world.pk], "apply": "1",
                                       "phase": "completed", "reason": "typo"}, follow=True)
    assert world.phase == "matching" and CoordinationState.objects.get(pk=world.pk).phase == "matching"
    assert any(m.level_tag == "error" for m in refused.context["messages"])

    client.post(changelist, {"action": "change_phase", "_selected_action": [world.pk], "apply": "1",
                             "phase": "planning", "reason": "The expert agreed by phone"})
    state = CoordinationState.objects.get(pk=world.pk)
    event = Event.objects.get(state=state, version=state.version)
    assert (state.phase, event.type, event.actor_id) == ("planning", "state.repaired", superuser.pk)
    assert event.payload == {"from": "matching", "to": "planning", "reason": "The expert agreed by phone"}
