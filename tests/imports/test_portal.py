"""The "Add a booking you made elsewhere" panel on the traveler's and the expert's request
page: upload → preview → confirm, with htmx (the panel swaps) and without (redirects), the
booking shown as not managed here, what a file holds always escaped."""
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.coordination.models import CoordinationState, Event, ExternalBooking
from apps.imports.models import ConfirmationImport
from tests.factories import make_booking_state, make_expert, make_user

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent / "fixtures"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def trip():
    state = make_booking_state(expert=make_expert())
    CoordinationState.objects.filter(pk=state.pk).update(expert_accepted_at=state.created_at)
    state.refresh_from_db()
    return state


def _file(name: str, data: bytes | None = None):
    return SimpleUploadedFile(Path(name).name, (FIXTURES / name).read_bytes() if data is None else data)


@pytest.mark.parametrize("portal, page", [("traveler", "traveler:request_detail"), ("expert", "expert:request")])
def test_upload_preview_confirm_with_htmx(client, trip, portal, page):
    user = trip.request.traveler if portal == "traveler" else trip.expert.user
    client.force_login(user)
    html = client.get(reverse(page, args=[trip.request_id])).content.decode()
    assert "Add a booking you made elsewhere" in html and "htmx-2.min.js" in html
    assert "<script>" not in html  # nothing inline: the CSP allows our static scripts only

    upload = reverse(f"{portal}:import_upload", args=[trip.request_id])
    preview = client.post(upload, {"file": _file("airline_jsonld.eml")}, **HTMX)
    body = preview.content.decode()
    assert preview.status_code == 200 and body.startswith('<section class="card elsewhere" id="elsewhere"')
    assert "We found 1 booking in airline_jsonld.eml" in body
    assert "Sun 14 Mar 2027, 19:40 (Europe/Lisbon) → Mon 15 Mar 2027, 22:05 (Asia/Tokyo)" in body
    assert "TPX4Q7" in body and "1284.60 EUR" in body
    imported = ConfirmationImport.objects.get()
    assert ExternalBooking.objects.count() == 0

    done = client.post(reverse(f"{portal}:import_confirm", args=[trip.request_id, imported.pk]), **HTMX)
    body = done.content.decode()
    assert "Added to your trip: Flight TP1234." in body and "Not managed by Traveloure" in body
    assert ExternalBooking.objects.get().created_by == user
    assert Event.objects.filter(state=trip, type="external.added").count() == 1
    page_html = client.get(reverse(page, args=[trip.request_id])).content.decode()
    assert "Flight TP1234" in page_html and "booked elsewhere" in page_html


def test_without_htmx_each_step_comes_back_to_the_page(client, trip):
    client.force_login(trip.request.traveler)
    page = reverse("traveler:request_detail", args=[trip.request_id])
    response = client.post(reverse("traveler:import_upload", args=[trip.request_id]),
                           {"file": _file("event_ticket.ics")})
    imported = ConfirmationImport.objects.get()
    assert response.status_code == 302 and response.url == f"{page}?import={imported.pk}#elsewhere"
    preview = client.get(response.url).content.decode()
    assert "Kabuki: evening performance" in preview and "Add to the trip" in preview
    response = client.post(reverse("traveler:import_confirm", args=[trip.request_id, imported.pk]), follow=True)
    assert "Added to your trip: Kabuki: evening performance." in response.content.decode()
    assert ExternalBooking.objects.filter(state=trip).count() == 1


@pytest.mark.parametrize("name, message", [("bad/scripts.html", "contains scripts"),
                                           ("bad/encrypted.pdf", "encrypted"),
                                           ("bad/newsletter.txt", "We found no booking")])
def test_a_refused_file_is_said_in_the_panel_and_writes_nothing(client, trip, name, message):
    client.force_login(trip.request.traveler)
    response = client.post(reverse("traveler:import_upload", args=[trip.request_id]), {"file": _file(name)}, **HTMX)
    assert response.status_code == 200 and message in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert ConfirmationImport.objects.count() == 0 and ExternalBooking.objects.count() == 0


def test_a_too_large_file_is_refused_in_the_panel(client, trip, settings):
    settings.IMPORT_MAX_BYTES = 100
    client.force_login(trip.request.traveler)
    response = client.post(reverse("traveler:import_upload", args=[trip.request_id]),
                           {"file": _file("tour.txt", b"x" * 101)}, **HTMX)
    assert "larger than" in response.content.decode() and ConfirmationImport.objects.count() == 0


def test_what_a_file_holds_is_escaped(client, trip):
    hostile = b"Tour: <img src=x onerror=alert(1)>Night walk\nVenue: <b>Shibuya</b>\nCity: Tokyo\n" \
              b"Start: 2027-03-16 19:00\nReference: <script>x</script>\n"
    client.force_login(trip.request.traveler)
    body = client.post(reverse("traveler:import_upload", args=[trip.request_id]),
                       {"file": _file("tour.txt", hostile)}, **HTMX).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;Night walk" in body and "<img src=x" not in body
    assert "&lt;script&gt;" in body and "<script>x" not in body


def test_other_travelers_and_experts_get_404_and_nothing_is_written(client, trip):
    imported = ConfirmationImport.objects.create(request=trip.request, uploaded_by=trip.request.traveler,
                                                 file_name="x.ics", source="ics", items=[])
    for user, portal in [(make_user(), "traveler"), (make_expert().user, "expert")]:
        client.force_login(user)
        assert client.post(reverse(f"{portal}:import_upload", args=[trip.request_id]),
                           {"file": _file("tour.txt")}).status_code == 404
        assert client.post(reverse(f"{portal}:import_confirm", args=[trip.request_id, imported.pk])).status_code == 404
    assert ConfirmationImport.objects.count() == 1 and ExternalBooking.objects.count() == 0


def test_a_preview_of_another_request_is_not_shown(client, trip):
    other = make_booking_state(trip.request.traveler)
    client.force_login(trip.request.traveler)
    client.post(reverse("traveler:import_upload", args=[other.request_id]), {"file": _file("tour.txt")})
    imported = ConfirmationImport.objects.get()
    page = client.get(reverse("traveler:request_detail", args=[trip.request_id]) + f"?import={imported.pk}")
    assert "Tsukiji" not in page.content.decode()
    assert client.get(reverse("traveler:request_detail", args=[trip.request_id]) + "?import=x²").status_code == 200
