"""The hot path of ``POST /api/v1/bookings/`` has a fixed query budget (bench/booking_throughput.py
measures what it costs under load)."""
import pytest
from django.db import connection
from django_q import signing
from django_q.brokers import get_broker
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.coordination.models import Booking, OutboxMessage
from apps.coordination.services.bookings import CONFIRM_TASK, booking_request
from apps.vendors.models import Slot
from tests.factories import make_booking_state, make_expert, make_offering, make_slot, make_vendor

pytestmark = pytest.mark.django_db

# token + user, slot with its offering's price rules (the platform's own inventory: no
# second read), state lock (by the request id: who may book is checked on the locked
# state), seat hold, booking, state version, event, outbox rows (the vendor's user comes
# with the booking), confirmation task (a new booking has no installments: the answer
# reads none); after commit: publish the rows as written (one UPDATE marks them
# delivered), the event's one follow-up task (notifications, insights, trip guard); +
# begin/commit (a savepoint in the test transaction).
QUERY_BUDGET = 13


@pytest.mark.parametrize("earlier_bookings", [0, 6])
def test_booking_creation_stays_within_its_query_budget(django_assert_max_num_queries,
                                                        django_capture_on_commit_callbacks, earlier_bookings):
    slot = make_slot(make_offering(make_vendor()), capacity=20)
    state = make_booking_state(expert=make_expert())
    for _ in range(earlier_bookings):  # the budget does not grow with the request's bookings
        booking_request(state_id=state.pk, actor=state.request.traveler, slot_id=make_slot().pk, quantity=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=state.request.traveler).key}")
    broker = get_broker()
    broker.purge_queue()  # this run's own queue (ORM table, or the isolated Redis db)
    assert connection.features.supports_json_field  # probed once per connection (SQLite), not per booking

    with django_assert_max_num_queries(QUERY_BUDGET), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/bookings/", {"request": state.request_id, "slot": slot.pk, "quantity": 2},
                               format="json")

    assert response.status_code == 201, response.data
    booking = Booking.objects.get(pk=response.data["id"])
    assert (booking.status, booking.quantity, response.data["status"]) == ("requested", 2, "requested")
    assert response.data["offering"] == {"id": slot.offering_id, "title": slot.offering.title}
    assert response.data["slot"]["start"].endswith("+09:00") and response.data["installments"] == []
    assert Slot.objects.get(pk=slot.pk).capacity_available == 18
    rows = OutboxMessage.objects.filter(event__state=state, event__type="booking.requested", event__version=2
                                        + earlier_bookings)
    assert rows.count() == 5 and not rows.filter(delivered_at__isnull=True).exists()
    queued = set()
    while broker.queue_size():
        queued |= {signing.SignedPackage.loads(payload)["func"] for _, payload in broker.dequeue()}
    assert CONFIRM_TASK in queued
