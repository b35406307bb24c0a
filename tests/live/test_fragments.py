"""The portal-agnostic chat and notification fragments (apps/portals/chat.py)."""
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from apps.coordination.models import Message, Notification
from apps.coordination.notifications import notify_event
from apps.coordination.services.chat import message_post
from tests.factories.worlds import make_world

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.live.urls")]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_chat_fragment_posts_and_shows_messages_in_destination_time():
    world = make_world()
    url = f"/live/requests/{world.request_id}/chat/"
    client = _client(world.traveler)
    assert b"No messages yet" in client.get(url).content
    response = client.post(url, {"body": "Is the market open on Sunday?"})
    assert response.status_code == 200 and b"Is the market open on Sunday?" in response.content
    message = Message.objects.get()
    local = message.created_at.astimezone(ZoneInfo(world.state.request.time_zone))
    assert local.strftime("%H:%M").encode() in response.content
    assert client.post(url, {"body": "  "}).status_code == 400


@pytest.mark.parametrize(("who", "query", "status"), [
    ("outsider", "", 404), ("vendor_a", "", 404), ("vendor_b", "?booking={a}", 404), ("vendor_a", "?booking={a}", 200),
    ("expert", "?booking={a}", 200), ("staff", "", 200),
])
def test_chat_fragment_scope(who, query, status):
    world = make_world()
    url = f"/live/requests/{world.request_id}/chat/" + query.format(a=world.booking_a.pk)
    assert _client(getattr(world, who)).get(url).status_code == status


def test_anonymous_goes_to_login():
    world = make_world()
    response = Client().get(f"/live/requests/{world.request_id}/chat/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_opening_the_chat_marks_it_read_and_notification_centre(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world = make_world()
    message_post(state_id=world.state.pk, actor=world.traveler, body="hello")
    notify_event(Message.objects.get().thread.state.events.get(version=2).pk)
    client = _client(world.expert)
    client.get(f"/live/requests/{world.request_id}/chat/")
    api = client.get(f"/api/v1/requests/{world.request_id}/threads/").json()
    assert api[0]["unread"] == 0
    page = client.get("/live/notifications/")
    assert b"wrote about Tokyo" in page.content and page.context["unread"] == 1
    assert client.post("/live/notifications/").context["unread"] == 0
    assert Notification.objects.filter(user=world.expert, channel="in_app", read_at__isnull=False).count() == 1
