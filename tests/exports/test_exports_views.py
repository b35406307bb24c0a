"""Web and API endpoints of the outputs: the role matrix, share links, the PDF API."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.coordination.models import Booking
from apps.core.errors import DomainError
from apps.exports.tasks import export_render
from apps.exports.share import share_link_create, token_link_revoke
from apps.itineraries.models import ExportJob, ShareLink
from tests.factories import make_expert, make_user
from tests.itineraries.factories import make_itinerary, media_root  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(traveler):
    return make_itinerary(traveler=traveler)


def _actor(plan, who):
    state = plan.request.coordination
    return {
        "owner": lambda: plan.request.traveler,
        "expert": lambda: state.expert.user,
        "staff": lambda: make_user(Role.STAFF),
        "other_traveler": lambda: make_user(Role.TRAVELER),
        "other_expert": lambda: make_expert().user,
        "booked_vendor": lambda: Booking.objects.filter(state=state).first().vendor.user,
    }[who]()


PAGES = ["exports:itinerary", "exports:data", "exports:ics"]
ALLOWED = {"owner", "expert", "staff"}


@pytest.mark.parametrize("who", ["owner", "expert", "staff", "other_traveler", "other_expert", "booked_vendor"])
@pytest.mark.parametrize("name", PAGES)
def test_portal_role_matrix(client, plan, who, name):
    client.force_login(_actor(plan, who))
    response = client.get(reverse(name, args=[plan.request_id]))
    assert response.status_code == (200 if who in ALLOWED else 404)


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, plan, name):
    response = client.get(reverse(name, args=[plan.request_id]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["owner", "expert", "other_traveler", "booked_vendor"])
def test_api_ics_scoped(api_client, plan, who):
    api_client.force_authenticate(_actor(plan, who))
    response = api_client.get(f"/api/v1/requests/{plan.request_id}/itinerary.ics")
    if who in ALLOWED:
        assert response.status_code == 200 and b"BEGIN:VCALENDAR" in response.content
    else:
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_api_pdf_is_202_then_the_file(api_client, plan, media_root, django_capture_on_commit_callbacks):
    api_client.force_authenticate(plan.request.traveler)
    url = f"/api/v1/requests/{plan.request_id}/itinerary.pdf"
    with django_capture_on_commit_callbacks() as callbacks:
        response = api_client.get(url)
    assert response.status_code == 202 and len(callbacks) == 1
    assert response.json() | {"id": 0} == {"id": 0, "kind": "pdf", "status": "queued", "progress": 0, "ready": False,
                                           "error": "", "itinerary_version": 1}
    export_render(ExportJob.objects.get().pk)
    response = api_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert api_client.get("/api/v1/requests/999999/itinerary.pdf").status_code == 404


def test_page_offers_exports_and_polls_progress(client, plan, media_root):
    client.force_login(plan.request.traveler)
    start = reverse("exports:export-start", args=[plan.request_id, "pdf"])
    assert client.post(start).status_code == 302
    status_url = reverse("exports:export-status", args=[plan.request_id, "pdf"])
    assert client.get(status_url).json()["status"] == "queued"
    export_render(ExportJob.objects.get().pk)
    assert client.get(status_url).json() | {"id": 0} == {"id": 0, "kind": "pdf", "status": "done", "progress": 100,
                                                        "ready": True, "error": "", "itinerary_version": 1}
    download = client.get(reverse("exports:export-download", args=[plan.request_id, "pdf"]))
    assert download["Content-Disposition"] == 'attachment; filename="tokyo-v1.pdf"'
    page = client.get(reverse("exports:itinerary", args=[plan.request_id])).content.decode()
    assert "TRV-" in page and "Senso-ji Temple at opening" in page and "Download" in page


def test_share_link_lifecycle(client, plan):
    owner = plan.request.traveler
    client.force_login(owner)
    response = client.post(reverse("exports:share-create", args=[plan.request_id]), {"expires_in_days": "7"})
    assert response.status_code == 302
    link = ShareLink.objects.get()
    assert dt.timedelta(days=6) < link.expires_at - timezone.now() <= dt.timedelta(days=7)
    client.logout()

    page = client.get(reverse("share:page", args=[link.token]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Senso-ji Temple at opening" in html and "Emergency" in html and "Free cancellation" in html
    assert "TRV-" not in html and "JPY" not in html  # no references or prices on a public page
    data = client.get(reverse("share:data", args=[link.token])).json()
    assert data["itinerary_version"] == 1 and len(data["days"]) == 7 and "reference" not in str(data)

    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(reverse("share:page", args=[link.token])).status_code == 404

    other = share_link_create(request=plan.request, actor=owner)
    assert client.get(reverse("share:data", args=[other.token])).status_code == 200
    token_link_revoke(link=other, actor=owner)
    assert client.get(reverse("share:data", args=[other.token])).status_code == 404
    for junk in ("nope", f"{other.pk}.", f"{other.pk + 1000}.{other.secret}"):
        assert client.get(reverse("share:page", args=[junk])).status_code == 404


def test_share_rules(plan):
    owner = plan.request.traveler
    with pytest.raises(DomainError) as exc:
        share_link_create(request=plan.request, actor=owner, expires_at=timezone.now() - dt.timedelta(hours=1))
    assert exc.value.code == "share.expiry_past"
    with pytest.raises(DomainError):
        share_link_create(request=plan.request, actor=make_user(Role.TRAVELER))
    link = share_link_create(request=plan.request, actor=owner)
    with pytest.raises(DomainError):
        token_link_revoke(link=link, actor=make_user(Role.VENDOR))
    assert ShareLink.objects.get(pk=link.pk).revoked_at is None


def test_other_owner_cannot_revoke_through_the_portal(client, plan):
    link = share_link_create(request=plan.request, actor=plan.request.traveler)
    client.force_login(make_user(Role.TRAVELER))
    response = client.post(reverse("exports:share-revoke", args=[plan.request_id, link.pk]))
    assert response.status_code == 404
    assert ShareLink.objects.get(pk=link.pk).revoked_at is None


@pytest.mark.parametrize("days", [1, 7])
def test_share_data_query_count_does_not_grow_with_days(client, traveler, days, django_assert_max_num_queries):
    plan = make_itinerary(traveler=traveler, days=days)
    link = share_link_create(request=plan.request, actor=traveler)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("share:data", args=[link.token])).status_code == 200
