"""The portal pages read from the cache (``apps.portals.pagecache``): a page read again is
the cached one until what it shows changes — an engine command on a request it shows,
the visitor's own form post, or the time bucket for what changes outside both — and
each visitor gets their own page and CSRF token."""
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Role
from apps.coordination.phases import Phase
from apps.portals.fragments import CSRF_MARKER
from apps.requests.models import ExperienceRequest
from tests.factories import make_request, make_user, phase_repair

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("same_time_bucket")]
HOME = reverse("traveler:home")


def _renamed(state, destination: str) -> None:
    """A change outside the engine (no version bump, nobody posted a form)."""
    ExperienceRequest.objects.filter(pk=state.request_id).update(destination=destination)


def test_a_page_read_again_is_the_cached_one_until_an_engine_command_on_its_request(client):
    state = make_request()
    client.force_login(state.request.traveler)
    page = reverse("traveler:request_detail", args=[state.request_id])
    assert "Tokyo" in client.get(page).content.decode()
    _renamed(state, "Kyoto")
    assert "Kyoto" not in client.get(page).content.decode()  # cached
    phase_repair(state_id=state.pk, actor=None, phase=Phase.PLANNING)  # by someone else: the version moves
    html = client.get(page).content.decode()
    assert "Kyoto" in html and f'data-live-phase="{state.pk}">Planning<' in html


def test_a_list_page_follows_a_command_on_any_of_its_requests_and_a_new_request(client):
    first = make_request()
    traveler = first.request.traveler
    client.force_login(traveler)
    assert client.get(HOME).content.decode().count("trip-card") == 1
    _renamed(first, "Kyoto")
    make_request(traveler, destination="Lisbon")
    html = client.get(HOME).content.decode()
    assert html.count("trip-card") == 2 and "Lisbon" in html and "Kyoto" in html


def test_the_visitors_own_form_post_shows_at_once(client):
    state = make_request()
    client.force_login(state.request.traveler)
    client.get(HOME)
    _renamed(state, "Kyoto")
    assert "Kyoto" not in client.get(HOME).content.decode()
    client.post(reverse("traveler:request_validate"), {"destination": "x"})  # writes nothing, but a post
    assert "Kyoto" in client.get(HOME).content.decode()


def test_what_changes_outside_the_engine_shows_after_the_time_bucket(client, same_time_bucket):
    state = make_request()
    client.force_login(state.request.traveler)
    client.get(HOME)
    _renamed(state, "Kyoto")
    same_time_bucket.return_value += 1
    assert "Kyoto" in client.get(HOME).content.decode()


def test_an_evicted_user_clock_never_brings_back_an_older_page(client):
    state = make_request()
    client.force_login(state.request.traveler)
    client.get(HOME)  # cached under the first generation
    _renamed(state, "Kyoto")
    cache.delete(f"user-clock:{state.request.traveler.pk}")
    assert "Kyoto" in client.get(HOME).content.decode()


def test_each_visitor_has_their_own_page(client):
    mine, theirs = make_request(destination="Lisbon"), make_request(destination="Porto")
    client.force_login(mine.request.traveler)
    assert "Lisbon" in client.get(HOME).content.decode()
    client.force_login(theirs.request.traveler)
    html = client.get(HOME).content.decode()
    assert "Porto" in html and "Lisbon" not in html
    client.force_login(make_user(Role.TRAVELER))
    assert "trip-card" not in client.get(HOME).content.decode()


def test_a_cached_page_carries_each_sessions_own_csrf_token():
    traveler = make_request().request.traveler
    sessions = [Client(enforce_csrf_checks=True) for _ in range(2)]
    tokens = []
    for session in sessions:
        session.force_login(traveler)
        html = session.get(HOME).content.decode()
        assert CSRF_MARKER not in html
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1))
    logout = reverse("accounts:logout")
    assert sessions[1].post(logout, {"csrfmiddlewaretoken": tokens[0]}).status_code == 403  # the other's token
    assert sessions[1].post(logout, {"csrfmiddlewaretoken": tokens[1]}).status_code == 302


def test_a_flash_message_is_shown_once_and_never_cached(client):
    state = make_request()
    client.force_login(state.request.traveler)
    client.get(reverse("traveler:request_detail", args=[state.request_id]))  # cached without a message
    response = client.post(reverse("traveler:browse_start", args=[state.request_id]), follow=True)
    landed = response.redirect_chain[-1][0]
    assert 'class="messages"' in response.content.decode()
    assert 'class="messages"' not in client.get(landed).content.decode()


def test_the_experts_inbox_follows_a_traveler_choosing_them(client):
    from apps.coordination.services.experts import expert_choose
    from tests.factories import make_expert

    expert = make_expert()
    client.force_login(expert.user)
    inbox = reverse("expert:home")
    state = make_request()
    page = reverse("expert:request", args=[state.request_id])
    assert page not in client.get(inbox).content.decode()
    expert_choose(state_id=state.pk, actor=state.request.traveler, expert_id=expert.pk)  # the traveler's command
    assert page in client.get(inbox).content.decode()


def test_the_vendors_dashboard_follows_a_traveler_cancelling_a_booking(client):
    from apps.coordination.phases import BookingStatus
    from apps.coordination.services.bookings import booking_cancel
    from tests.factories import make_offering, make_slot, make_vendor
    from django.db.models import F

    from apps.vendors.models import Slot
    from tests.factories.bookings import make_booking

    state = make_request()
    vendor = make_vendor()
    slot = make_slot(make_offering(vendor))
    booking = make_booking(state, slot=slot, status=BookingStatus.PENDING)
    Slot.objects.filter(pk=slot.pk).update(capacity_available=F("capacity_available") - 1)  # its seat held
    client.force_login(vendor.user)
    dashboard = reverse("vendor:home")
    assert f'id="booking-{booking.pk}"' in client.get(dashboard).content.decode()
    booking_cancel(booking_id=booking.pk, actor=state.request.traveler)  # its event reaches the vendor's feed
    assert f'id="booking-{booking.pk}"' not in client.get(dashboard).content.decode()


def test_a_page_answered_with_another_status_carries_its_token_and_is_not_cached(rf, same_time_bucket):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.cache import SessionStore
    from django.views.generic import TemplateView

    from apps.portals.pagecache import CachedOwnPageMixin

    renders = []
    user = make_user(Role.TRAVELER)

    class Refused(CachedOwnPageMixin, TemplateView):
        template_name = "base.html"

        def render_to_response(self, context, **kwargs):
            renders.append(1)
            return super().render_to_response(context, status=409)

    def answer() -> str:
        request = rf.get("/refused/")
        request.user, request.session = user, SessionStore()
        request._messages = FallbackStorage(request)
        response = Refused.as_view()(request)
        assert response.status_code == 409
        return response.content.decode()

    html = answer()
    assert CSRF_MARKER not in html and 'name="csrfmiddlewaretoken"' in html
    answer()
    assert len(renders) == 2  # not cached: rendered again
