"""Web endpoints of the outputs, shared by every portal: the mobile itinerary with its
exports (traveler, their expert, staff), the private calendar feed and the public share
page. Scope: ``access.requests_fully_visible_to``; anything else is 404."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from apps.accounts.models import Role
from apps.coordination.access import requests_fully_visible_to
from apps.core.errors import DomainError, NotFound
from apps.core.ids import parse_int
from apps.exports.document import Document, build_document, file_stem, itinerary_for_request
from apps.exports.ics import ics_response
from apps.exports.jobs import export_request, job_as_dict
from apps.exports.share import (
    calendar_subscription_get_or_create, calendar_subscription_resolve, share_link_create, share_link_resolve,
    token_link_revoke, token_links_for_request,
)
from apps.exports.support import platform_support_email
from apps.itineraries.models import ExportJob, ExportKind, ExportStatus, ShareLink
from apps.portals.gates import portal_base

SHARE_EXPIRY_DAYS = (1, 7, 30, 90)


def live_payload(doc: Document, state_version: int) -> dict:
    """What the live page polls: versions to detect a change, and the timeline (no prices,
    no references, no traveler data: the share page is public)."""
    return {"state_version": state_version, "itinerary_version": doc.version,
            "days": [{"date": day.date.isoformat(), "items": [
                {"title": i.title, "start": i.start.isoformat(), "end": i.end.isoformat(), "place": i.place,
                 "booking_status": i.booking.status if i.booking else None} for i in day.items]}
                for day in doc.days]}


class OwnedRequestMixin(LoginRequiredMixin):
    """The request of the URL if the user sees all of it (traveler, its expert, staff); else 404."""

    def get_experience_request(self):
        request = requests_fully_visible_to(self.request.user).filter(pk=self.kwargs["request_id"]).first()
        if request is None:
            raise Http404
        return request

    def get_itinerary(self):
        try:
            return itinerary_for_request(self.get_experience_request())
        except NotFound as exc:
            raise Http404 from exc

    def back(self):
        return redirect("exports:itinerary", request_id=self.kwargs["request_id"])


class ItineraryView(OwnedRequestMixin, View):
    """The day-by-day plan (mobile first) with its exports, feed and share links."""

    def get(self, request, request_id):
        itinerary = self.get_itinerary()
        doc = build_document(itinerary)
        links, feed = token_links_for_request(itinerary.request)
        jobs = {job.kind: job for job in ExportJob.objects.filter(itinerary=itinerary)}
        feed_url = request.build_absolute_uri(reverse("exports:calendar-feed", args=[feed.token])) if feed else ""
        experience_request = itinerary.request
        return render(request, "exports/itinerary_detail.html", {
            # the page sits in the user's portal: its navigation and, for the traveler and the
            # expert, the request's tabs
            "base_template": portal_base(request.user),
            "tabs_template": {Role.TRAVELER: "traveler/_tabs.html", Role.EXPERT: "expert/_tabs.html"}.get(
                request.user.role), "req": experience_request, "state": experience_request.coordination,
            "doc": doc, "shared": False, "support_email": platform_support_email(),
            "exports": [(kind, label, jobs.get(kind)) for kind, label in ExportKind.choices],
            "feed": feed, "webcal_url": feed_url.replace("https://", "webcal://").replace("http://", "webcal://"),
            "share_links": [(link, request.build_absolute_uri(reverse("share:page", args=[link.token])))
                            for link in links],
            "expiry_days": SHARE_EXPIRY_DAYS, "poll_url": reverse("exports:data", args=[request_id]),
            "state_version": itinerary.request.coordination.version,
        })


class DataView(OwnedRequestMixin, View):
    def get(self, request, request_id):
        itinerary = self.get_itinerary()
        return JsonResponse(live_payload(build_document(itinerary), itinerary.request.coordination.version))


class ExportStartView(OwnedRequestMixin, View):
    """POST: queue (or reuse) the PDF / package render; JSON for fetch(), else redirect."""

    def post(self, request, request_id, kind):
        if kind not in ExportKind.values:
            raise Http404
        job = export_request(itinerary=self.get_itinerary(), kind=kind, actor=request.user)
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse(job_as_dict(job), status=200 if job.status == ExportStatus.DONE else 202)
        return self.back()


class ExportStatusView(OwnedRequestMixin, View):
    def get(self, request, request_id, kind):
        job = get_object_or_404(ExportJob, itinerary=self.get_itinerary(), kind=kind)
        return JsonResponse(job_as_dict(job))


class ExportDownloadView(OwnedRequestMixin, View):
    def get(self, request, request_id, kind):
        job = get_object_or_404(ExportJob, itinerary=self.get_itinerary(), kind=kind, status=ExportStatus.DONE)
        if not job.file:
            raise Http404
        name = f"{file_stem(job.itinerary.request.destination, job.itinerary.version)}.{kind}"
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=name)


class IcsView(OwnedRequestMixin, View):
    def get(self, request, request_id):
        return ics_response(build_document(self.get_itinerary()))


class CalendarCreateView(OwnedRequestMixin, View):
    def post(self, request, request_id):
        calendar_subscription_get_or_create(request=self.get_experience_request(), actor=request.user)
        messages.success(request, _("Your private calendar link is ready."))
        return self.back()


class ShareCreateView(OwnedRequestMixin, View):
    def post(self, request, request_id):
        days = request.POST.get("expires_in_days", "")
        expires_at = None
        if days:
            if parse_int(days) not in SHARE_EXPIRY_DAYS:
                raise Http404
            expires_at = timezone.now() + dt.timedelta(days=parse_int(days))
        try:
            share_link_create(request=self.get_experience_request(), actor=request.user, expires_at=expires_at)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Share link created."))
        return self.back()


class RevokeView(OwnedRequestMixin, View):
    """POST: revoke one of the request's share links or its calendar feed."""

    model: type = ShareLink

    def post(self, request, request_id, link_id):
        link = get_object_or_404(self.model, pk=link_id, request=self.get_experience_request())
        token_link_revoke(link=link, actor=request.user)
        messages.success(request, _("Link revoked: it no longer works."))
        return self.back()


def _resolved(resolve, token):
    try:
        return resolve(token)
    except NotFound as exc:
        raise Http404 from exc


def _current_document(link) -> Document:
    try:
        return build_document(itinerary_for_request(link.request))
    except NotFound as exc:
        raise Http404 from exc


def calendar_feed(request, token):
    """The webcal feed: always the request's CURRENT itinerary; 404 once revoked."""
    return ics_response(_current_document(_resolved(calendar_subscription_resolve, token)))


def share_page(request, token):
    """Public, read-only live page of the plan (no login, no prices or references)."""
    link = _resolved(share_link_resolve, token)
    doc = _current_document(link)
    return render(request, "exports/share_page.html", {
        "doc": doc, "shared": True, "link": link, "support_email": platform_support_email(),
        "poll_url": reverse("share:data", args=[token]), "state_version": link.request.coordination.version,
    })


def share_data(request, token):
    link = _resolved(share_link_resolve, token)
    return JsonResponse(live_payload(_current_document(link), link.request.coordination.version))

