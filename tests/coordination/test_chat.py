"""Chat: posting through the engine, who may write and read where, unread counts, REST."""
import pytest

from apps.coordination.models import Event, Message, OutboxMessage, Thread
from apps.coordination.services.chat import MAX_MESSAGE_LENGTH, message_post, thread_mark_read
from apps.coordination.snapshot import thread_entries, thread_list_for_user
from apps.core.errors import DomainError, NotFound
from tests.factories.worlds import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def _unread(user, world):
    return {t["booking"]: t["unread"] for t in thread_entries(thread_list_for_user(user, world.state))}


def test_post_creates_the_thread_and_one_event(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        message = message_post(state_id=world.state.pk, actor=world.traveler, body="  Any vegetarian ramen?  ")
    assert message.body == "Any vegetarian ramen?" and message.thread.booking is None
    event = Event.objects.get(state=world.state, version=2)
    assert event.type == "message.posted" and event.payload["message"]["id"] == message.pk
    groups = set(OutboxMessage.objects.filter(event=event).values_list("group", flat=True))
    assert not any(g.startswith("vendor.") for g in groups)
    assert len(callbacks) == 1  # publishing waits for the commit


def test_booking_thread_reaches_only_its_vendor(world):
    message_post(state_id=world.state.pk, actor=world.vendor_a, body="Meet at gate 3", booking_id=world.booking_a.pk)
    event = Event.objects.get(state=world.state, version=2)
    vendor_rows = OutboxMessage.objects.filter(event=event, group__startswith="vendor.")
    assert [(r.group, r.user_id) for r in vendor_rows] == [(f"vendor.{world.booking_a.vendor_id}", world.vendor_a.pk)]
    assert Thread.objects.get().subject == world.booking_a.offering.title


@pytest.mark.parametrize(("who", "where"), [
    ("outsider", "main"), ("other_expert", "main"), ("vendor_a", "main"), ("vendor_b", "booking_a"),
])
def test_out_of_scope_writers_get_not_found_and_nothing_is_written(world, who, where):
    booking_id = world.booking_a.pk if where == "booking_a" else None
    with pytest.raises(NotFound):
        message_post(state_id=world.state.pk, actor=getattr(world, who), body="hi", booking_id=booking_id)
    assert not Message.objects.exists() and not Thread.objects.exists()
    assert Event.objects.filter(state=world.state).count() == 1


@pytest.mark.parametrize(("body", "code"), [("   ", "chat.empty"), ("x" * (MAX_MESSAGE_LENGTH + 1), "chat.too_long"),
                                          ("a\x00b", "chat.invalid")])
def test_bad_bodies_are_refused(world, body, code):
    with pytest.raises(DomainError) as exc:
        message_post(state_id=world.state.pk, actor=world.traveler, body=body)
    assert exc.value.code == code and "body" in exc.value.fields


def test_booking_of_another_request_is_not_found(world):
    other = make_world()
    with pytest.raises(NotFound):
        message_post(state_id=world.state.pk, actor=world.traveler, body="hi", booking_id=other.booking_a.pk)


def test_unread_counts_and_mark_read(world):
    first = message_post(state_id=world.state.pk, actor=world.traveler, body="one")
    message_post(state_id=world.state.pk, actor=world.traveler, body="two")
    message_post(state_id=world.state.pk, actor=world.vendor_a, body="v", booking_id=world.booking_a.pk)
    assert _unread(world.traveler, world) == {None: 0, world.booking_a.pk: 1}
    assert _unread(world.expert, world) == {None: 2, world.booking_a.pk: 1}
    assert _unread(world.vendor_a, world) == {world.booking_a.pk: 0}
    assert _unread(world.vendor_b, world) == {}
    main = Thread.objects.get(booking=None)
    assert thread_mark_read(thread=main, user=world.expert, up_to=first.pk).last_read_message_id == first.pk
    assert _unread(world.expert, world)[None] == 1
    thread_mark_read(thread=main, user=world.expert)
    assert thread_mark_read(thread=main, user=world.expert, up_to=first.pk).last_read_message_id > first.pk
    assert _unread(world.expert, world)[None] == 0


class TestApi:
    def url(self, world, suffix="messages/"):
        return f"/api/v1/requests/{world.request_id}/{suffix}"

    def test_post_and_history_newest_first(self, world, api_client):
        api_client.force_authenticate(world.expert)
        for body in ("first", "second"):
            assert api_client.post(self.url(world), {"body": body}, format="json").status_code == 201
        response = api_client.get(self.url(world))
        assert response.status_code == 200
        assert [m["body"] for m in response.json()["results"]] == ["second", "first"]
        assert response.json()["count"] == 2

    def test_vendor_reads_and_writes_only_its_booking_thread(self, world, api_client):
        message_post(state_id=world.state.pk, actor=world.traveler, body="private to the expert")
        api_client.force_authenticate(world.vendor_a)
        assert api_client.post(self.url(world), {"body": "hi"}, format="json").status_code == 404
        created = api_client.post(self.url(world), {"body": "hi", "booking": world.booking_a.pk}, format="json")
        assert created.status_code == 201
        assert [m["body"] for m in api_client.get(self.url(world)).json()["results"]] == ["hi"]
        threads = api_client.get(self.url(world, "threads/")).json()
        assert [t["booking"] for t in threads] == [world.booking_a.pk]

    def test_outsider_and_anonymous(self, world, api_client):
        assert api_client.get(self.url(world)).status_code in (401, 403)
        api_client.force_authenticate(world.outsider)
        assert api_client.get(self.url(world)).status_code == 404
        assert api_client.post(self.url(world), {"body": "x"}, format="json").status_code == 404

    def test_empty_body_is_a_400_with_fields(self, world, api_client):
        api_client.force_authenticate(world.traveler)
        response = api_client.post(self.url(world), {"body": " "}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "chat.empty"

    def test_mark_thread_read(self, world, api_client):
        message_post(state_id=world.state.pk, actor=world.traveler, body="hello")
        thread = Thread.objects.get()
        api_client.force_authenticate(world.expert)
        assert api_client.get(self.url(world, "threads/")).json()[0]["unread"] == 1
        response = api_client.post(self.url(world, f"threads/{thread.pk}/read/"), {}, format="json")
        assert response.status_code == 200
        assert api_client.get(self.url(world, "threads/")).json()[0]["unread"] == 0
        api_client.force_authenticate(world.vendor_a)
        assert api_client.post(self.url(world, f"threads/{thread.pk}/read/"), {}, format="json").status_code == 404
