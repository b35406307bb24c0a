"""Traveler feedback after a trip, on the history page: for each completed trip of the page,
one form per party it can review (its expert, each vendor it booked, the itinerary), or
the review already written. Writes go through ``review_submit``; a refusal is shown next
to the form that caused it."""
from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views import View
from django.views.generic import ListView

from apps.coordination.access import bookings_visible_to, requests_visible_to
from apps.coordination.models import Review
from apps.coordination.phases import OPEN_PHASES, Phase
from apps.coordination.services.reviews import MAX_COMMENT, REVIEWED_BOOKINGS, review_submit
from apps.core.errors import DomainError
from apps.core.ids import parse_int
from apps.portals.gates import TravelerPortalMixin
from apps.portals.shared import RequestScopeMixin


STARS = [(n, ngettext_lazy("%(n)d star", "%(n)d stars", "n") % {"n": n}) for n in range(1, 6)]


class TripReviewForm(forms.Form):
    """One review: what it is about (hidden, set by the page) and the traveler's answer."""

    target = forms.ChoiceField(choices=Review.Target.choices, widget=forms.HiddenInput)
    vendor = forms.IntegerField(required=False, widget=forms.HiddenInput)
    rating = forms.TypedChoiceField(label=gettext_lazy("Rating"), coerce=int, choices=STARS,
                                    widget=forms.RadioSelect(attrs={"class": "visually-hidden"}),
                                    error_messages={"required": gettext_lazy("Choose from 1 to 5 stars.")})
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=MAX_COMMENT,
                              widget=forms.Textarea(attrs={"rows": 3}))


@dataclass
class ReviewTarget:
    """A party of a trip the traveler reviews: its review if written, else a form."""

    key: str  # unique within the trip: "expert", "itinerary", "vendor-<id>"
    target: str
    label: str
    vendor_id: int | None
    review: Review | None
    form: TripReviewForm | None = None

    @property
    def kind_label(self) -> str:
        return Review.Target(self.target).label


@dataclass
class TripFeedback:
    request: object
    targets: list[ReviewTarget]


def target_key(target: str, vendor_id: int | None) -> str:
    return f"vendor-{vendor_id}" if target == Review.Target.VENDOR else target


def trip_feedback(user, requests_page, *, refused: tuple[int, str, TripReviewForm] | None = None,
                  ) -> list[TripFeedback]:
    """The review targets of the completed trips among ``requests_page`` (already scoped
    to ``user``), in page order: the expert, the vendors of its confirmed or completed
    bookings (by name), the itinerary. ``refused`` is (request id, target key, bound
    form) of a refused submission: it replaces the fresh form of its target. Two queries."""
    trips = [r for r in requests_page if r.coordination.phase == Phase.COMPLETED]
    states = [r.coordination.pk for r in trips]
    vendors: dict[int, dict[int, str]] = {}
    for state_id, vendor_id, name in (bookings_visible_to(user)
                                      .filter(state_id__in=states, status__in=REVIEWED_BOOKINGS)
                                      .order_by("vendor__name").values_list("state_id", "vendor_id", "vendor__name")
                                      .distinct()):
        vendors.setdefault(state_id, {})[vendor_id] = name
    written = {(r.state_id, target_key(r.target, r.vendor_id)): r
               for r in Review.objects.filter(author=user, state_id__in=states)}
    feedback = []
    for request in trips:
        state = request.coordination
        parties = [(Review.Target.EXPERT, str(state.expert), None)] if state.expert_id else []
        parties += [(Review.Target.VENDOR, name, pk) for pk, name in vendors.get(state.pk, {}).items()]
        if state.current_itinerary_id:
            parties.append((Review.Target.ITINERARY, _("The itinerary"), None))
        targets = []
        for target, label, vendor_id in parties:
            key = target_key(target, vendor_id)
            item = ReviewTarget(key, target, label, vendor_id, written.get((state.pk, key)))
            if item.review is None and refused and refused[:2] == (request.pk, key):
                item.form = refused[2]
            elif item.review is None:
                item.form = TripReviewForm(initial={"target": target, "vendor": vendor_id},
                                           auto_id=f"rv{request.pk}-{key}-%s")
            targets.append(item)
        feedback.append(TripFeedback(request, targets))
    return feedback


class HistoryView(TravelerPortalMixin, ListView):
    """Past trips (completed or cancelled) with, for each completed one, its review forms
    and written reviews."""

    template_name = "traveler/history.html"
    context_object_name = "requests"
    paginate_by = 12
    refused: tuple[int, str, TripReviewForm] | None = None

    def get_queryset(self):
        return requests_visible_to(self.request.user).exclude(coordination__phase__in=OPEN_PHASES)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["feedback"] = trip_feedback(self.request.user, context["requests"], refused=self.refused)
        return context


class ReviewSubmitView(TravelerPortalMixin, RequestScopeMixin, View):
    """POST one review of a trip. Done → back to the history page at the written review;
    refused → the history page again (400) with the form and its errors, or, when the
    trip has no such form on the page (not completed yet), the refusal as a message."""

    def post(self, request, request_id: int):
        state = self.state  # out of scope → 404 before anything else
        key = target_key(request.POST.get("target"), parse_int(request.POST.get("vendor")))
        form = TripReviewForm(request.POST, auto_id=f"rv{request_id}-{key}-%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                review_submit(state_id=state.pk, actor=request.user, target=data["target"], rating=data["rating"],
                              comment=data["comment"], vendor_id=data["vendor"])
            except DomainError as exc:
                if exc.status == 404:
                    raise Http404(exc.message) from None
                for field, message in exc.fields.items():
                    form.add_error(field if field in ("rating", "comment") else None, message)
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Thank you, your review is saved."))
                return redirect(f"{self.history_url()}#review-{request_id}-{key}")
        return self.history_page(key, form)

    def history_url(self) -> str:
        page = parse_int(self.request.GET.get("page"))
        return reverse("traveler:history") + (f"?page={page}" if page else "")

    def history_page(self, key: str, form: TripReviewForm):
        """The history page (the page number of the form's URL) showing the refused form."""
        page = HistoryView(refused=(self.kwargs["request_id"], key, form))
        page.setup(self.request, **self.kwargs)
        page.object_list = page.get_queryset()
        context = page.get_context_data()
        placed = any(t.form is form for trip in context["feedback"] for t in trip.targets)
        if not placed:
            messages.error(self.request, " ".join(form.non_field_errors()) or _("Check the review and send it again."))
        return page.render_to_response(context, status=400)
