"""Notifications from the outbox: channels by preference, idempotence, catch-up, Web Push
against a recorded push-service response (respx), the REST centre and the sync status."""
import base64
import os

import httpx
import pytest
import respx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core import mail

from apps.coordination.models import Event, Notification, PushSubscription
from apps.coordination.notifications import notify_event, notify_pending
from apps.coordination.selectors import event_sync_status
from apps.coordination.services.chat import message_post
from apps.coordination.services.notifications import preference_set, push_subscribe
from apps.core.errors import DomainError
from tests.factories import phase_repair
from tests.factories.worlds import make_world

pytestmark = pytest.mark.django_db
PUSH_ENDPOINT = "https://push.example.test/wpush/v2/abc123"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _p256_pair() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64(key.private_numbers().private_value.to_bytes(32, "big")), _b64(public)


@pytest.fixture
def world(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    return make_world()


@pytest.fixture
def vapid(settings):
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = _p256_pair()


def _subscribe(user):
    return push_subscribe(user=user, endpoint=PUSH_ENDPOINT, p256dh=_p256_pair()[1], auth=_b64(os.urandom(16)))


def _post_in_booking_thread(world):
    message_post(state_id=world.state.pk, actor=world.traveler, body="Gate 3 at nine?", booking_id=world.booking_a.pk)
    return Event.objects.get(state=world.state, type="message.posted")


def _channels(event):
    return sorted(Notification.objects.filter(event=event).values_list("user__username", "channel"))


def test_everyone_addressed_but_the_actor_is_notified_in_app_and_by_mail(world):
    event = _post_in_booking_thread(world)
    assert notify_event(event.pk) == 2
    names = (world.expert.username, world.vendor_a.username)
    assert _channels(event) == sorted((n, c) for n in names for c in ("email", "in_app"))
    title = Notification.objects.get(user=world.vendor_a, channel="in_app").title
    assert title == f"{world.traveler.display_name()} wrote about Tokyo"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.expert.email, world.vendor_a.email])
    assert mail.outbox[0].body == "Gate 3 at nine?"


def test_notifying_twice_sends_nothing_twice(world):
    event = _post_in_booking_thread(world)
    notify_event(event.pk)
    notify_event(event.pk)
    assert Notification.objects.filter(event=event).count() == 4 and len(mail.outbox) == 2
    assert notify_pending() == 0


def test_mail_turned_off_by_preference(world):
    preference_set(user=world.expert, channel="email", enabled=False)
    notify_event(_post_in_booking_thread(world).pk)
    assert not Notification.objects.filter(user=world.expert, channel="email").exists()
    with pytest.raises(DomainError):
        preference_set(user=world.expert, channel="in_app", enabled=False)


def test_failed_mail_is_retried_by_the_catch_up(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1  # nothing listens there
    phase_repair(state_id=world.state.pk, actor=world.staff, phase="planning", reason="re-plan")
    event = Event.objects.get(state=world.state, version=2)
    notify_event(event.pk)
    failed = Notification.objects.get(user=world.traveler, event=event, channel="email")
    assert failed.sent_at is None
    assert Notification.objects.get(user=world.traveler, event=event, channel="in_app").sent_at is not None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notify_pending() == 1
    failed.refresh_from_db()
    assert failed.sent_at is not None and mail.outbox[-1].subject == "The Tokyo request moved to planning"


def test_catch_up_notifies_events_whose_task_never_ran(world):
    event = _post_in_booking_thread(world)
    assert notify_pending() == 1
    assert Notification.objects.filter(event=event, channel="in_app").count() == 2


def test_push_is_disabled_without_vapid_keys(world):
    with pytest.raises(DomainError) as exc:
        _subscribe(world.expert)
    assert exc.value.code == "notifications.push_disabled"


@respx.mock
def test_web_push_is_encrypted_signed_and_sent(world, vapid):
    route = respx.post(PUSH_ENDPOINT).mock(return_value=httpx.Response(201, headers={"Location": PUSH_ENDPOINT}))
    _subscribe(world.expert)
    event = _post_in_booking_thread(world)
    notify_event(event.pk)
    assert route.call_count == 1
    sent = route.calls.last.request
    assert sent.headers["content-encoding"] == "aes128gcm" and sent.headers["ttl"] == "3600"
    assert sent.headers["authorization"].startswith("vapid t=") and b"Gate 3" not in sent.content
    assert Notification.objects.get(user=world.expert, channel="push").sent_at is not None
    assert not Notification.objects.filter(user=world.vendor_a, channel="push").exists()


@respx.mock
def test_gone_subscription_is_dropped_and_push_retried_later(world, vapid):
    respx.post(PUSH_ENDPOINT).mock(return_value=httpx.Response(410, text="push subscription has unsubscribed"))
    _subscribe(world.expert)
    notify_event(_post_in_booking_thread(world).pk)
    assert not PushSubscription.objects.exists()
    assert Notification.objects.get(user=world.expert, channel="push").sent_at is None


def test_sync_status_lists_who_was_notified_where(world):
    event = _post_in_booking_thread(world)
    notify_event(event.pk)
    status = event_sync_status(Event.objects.filter(pk=event.pk))[event.pk]
    assert [(p["username"], sorted(p["channels"])) for p in status] == sorted(
        [(world.expert.username, ["email", "in_app"]), (world.vendor_a.username, ["email", "in_app"])])


class TestApi:
    def test_centre_unread_and_mark_read(self, world, api_client):
        notify_event(_post_in_booking_thread(world).pk)
        phase_repair(state_id=world.state.pk, actor=world.staff, phase="planning", reason="x")
        notify_event(Event.objects.get(state=world.state, version=3).pk)
        api_client.force_authenticate(world.expert)
        body = api_client.get("/api/v1/notifications/").json()
        assert body["unread"] == 2 and body["count"] == 2
        assert body["results"][0]["title"] == "The Tokyo request moved to planning"
        assert body["results"][0]["request"] == world.request_id
        first = body["results"][0]["id"]
        assert api_client.post(f"/api/v1/notifications/{first}/read/").json() == {"changed": 1, "unread": 1}
        assert api_client.post("/api/v1/notifications/read-all/").json() == {"changed": 1, "unread": 0}
        api_client.force_authenticate(world.traveler)
        assert api_client.post(f"/api/v1/notifications/{first}/read/").status_code == 404

    def test_preferences_and_push_subscription(self, world, api_client, vapid):
        api_client.force_authenticate(world.traveler)
        assert api_client.get("/api/v1/notifications/push/").json()["enabled"] is True
        response = api_client.post("/api/v1/notifications/push/", {
            "endpoint": PUSH_ENDPOINT, "keys": {"p256dh": _p256_pair()[1], "auth": _b64(os.urandom(16))}}, format="json")
        assert response.status_code == 201 and PushSubscription.objects.get().user == world.traveler
        prefs = api_client.post("/api/v1/notifications/preferences/", {"channel": "email", "enabled": False},
                                format="json").json()
        assert prefs == [{"channel": "email", "enabled": False}, {"channel": "push", "enabled": True}]

    def test_sync_status_for_those_who_see_the_whole_request(self, world, api_client):
        notify_event(_post_in_booking_thread(world).pk)
        api_client.force_authenticate(world.traveler)
        rows = api_client.get(f"/api/v1/requests/{world.request_id}/sync-status/").json()["results"]
        assert [(r["version"], r["type"], len(r["notified"])) for r in rows] == [
            (1, "request.submitted", 0), (2, "message.posted", 2)]
        api_client.force_authenticate(world.vendor_a)
        assert api_client.get(f"/api/v1/requests/{world.request_id}/sync-status/").status_code == 404


def test_booking_events_have_readable_titles_for_each_party(world):
    from apps.coordination.services.bookings import booking_confirm

    booking_confirm(booking_id=world.booking_a.pk, actor=world.vendor_a)
    event = Event.objects.get(state=world.state, type="booking.confirmed")
    notify_event(event.pk)
    titles = dict(Notification.objects.filter(event=event, channel="in_app").values_list("user__username", "title"))
    vendor, offering = world.booking_a.vendor.name, world.booking_a.offering.title
    world.booking_a.refresh_from_db()
    ref = world.booking_a.reference
    traveler = world.traveler.display_name()
    assert titles == {world.traveler.username: f"{vendor} confirmed your {offering}, ref {ref}",
                      world.expert.username: f"{vendor} confirmed {offering} for {traveler}, ref {ref}"}


def _recorded_event_types() -> set[str]:
    """Every event type a command of ours records: the type strings on the lines that name
    the one event of a command."""
    import pathlib
    import re

    calls = re.compile(r"(record|_finish|_enter|_rematch|_with_alternative)\(")
    found = set()
    for path in pathlib.Path("apps").rglob("*.py"):
        for line in path.read_text().splitlines():
            if calls.search(line):
                found |= set(re.findall(r'"([a-z_]+\.[a-z_]+)"', line))
    return found


def test_every_notification_type_renders_a_sentence(world):
    """Each event type reads as a sentence to each party: no dotted codes, nothing left to fill."""
    import re

    from apps.coordination.notifications import SENTENCES, render
    from apps.coordination.presenters import booking_json

    assert _recorded_event_types() - {"itinerary.item_rejected", "itinerary.item_modified"} <= set(SENTENCES)
    booking = world.booking_a
    data = {"booking": booking_json(booking), "title": "Tsukiji food walk", "day": "2027-03-16", "time": "10:00",
            "start": "2027-03-16T01:00:00+00:00", "category": "venue", "rating": 5, "to": "planning",
            "amount": {"amount": "100.00", "currency": "EUR"}, "changes": {"start_date": {"from": "a", "to": "b"}}}
    for event_type in SENTENCES:
        event = Event(state=world.state, type=event_type, actor=world.expert, version=1)
        for user in (world.traveler, world.expert, world.vendor_a):
            title, body = render(event, data, user)
            assert title and title[0].isalnum() and "%(" not in title, (event_type, title)
            assert not re.search(r"\b[a-z_]+\.[a-z_]+\b", title), (event_type, title)
    fallback, _body = render(Event(state=world.state, type="something.new", version=1), {}, world.traveler)
    assert fallback.startswith("There is news about")
