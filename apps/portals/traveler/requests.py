"""Traveler pages about requests: home, the request wizard with live validation, one
request's page (matches, expert, consultation, recommendations), history, notifications."""
from __future__ import annotations

import hashlib

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from apps.coordination.access import requests_visible_to
from apps.coordination.phases import HOLDING_STATUSES, OPEN_PHASES, Phase
from apps.coordination.services import browse, changes, experts, recommendations
from apps.coordination.services.changes import CHANGE_PHASES
from apps.coordination.services.intake import request_submit
from apps.coordination.services.lifecycle import NOT_CANCELLABLE
from apps.core.errors import DomainError
from apps.core.ids import parse_int
from apps.portals.fragments import versioned_fragment
from apps.portals.gates import TravelerPortalMixin
from apps.portals.imports import panel_context
from apps.portals.pagecache import CachedOwnPageMixin, CachedRequestPageMixin
from apps.portals.shared import ChatContextMixin, CommandView, PartsMixin, RequestScopeMixin, cleaned, posted_id
from apps.requests.models import Path
from apps.requests.services import request_validate

from . import selectors
from .forms import EVENT_FIELDS, WIZARD_STEPS, RequestForm, RequirementsForm, ReviewForm, form_field


class HomeView(TravelerPortalMixin, CachedOwnPageMixin, ListView):
    """Open requests (newest first, paginated) with their phase, live on ``/ws/me/``."""

    template_name = "traveler/home.html"
    context_object_name = "requests"
    paginate_by = 12

    def get_queryset(self):
        return requests_visible_to(self.request.user).filter(coordination__phase__in=OPEN_PHASES)


class NotificationsView(TravelerPortalMixin, TemplateView):
    """The notification centre (the live engineer's fragment, refreshed on ``/ws/me/``)."""

    template_name = "traveler/notifications.html"


class RequestCreateView(TravelerPortalMixin, FormView):
    """The request wizard: travel or wedding/event, step by step (all steps without JS)."""

    template_name = "traveler/request_create.html"
    form_class = RequestForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "currency": self.request.user.currency}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["steps"] = [(title, [form[name] for name in names]) for title, names in WIZARD_STEPS]
        context["event_fields"] = " ".join(EVENT_FIELDS)
        return context

    def form_valid(self, form):
        try:
            state = request_submit(traveler=self.request.user, data=form.to_intake())
        except DomainError as exc:
            for field, message in exc.fields.items():
                form.add_error(form_field(field) if form_field(field) in form.fields else None, message)
            return self.form_invalid(form)
        messages.success(self.request, _("Your request is in. Find things you like and plan your days.")
                         if state.request.path == Path.BROWSE else
                         _("Your request is in. Choose the local expert you would like to plan it with."))
        return redirect("traveler:request_detail", request_id=state.request_id)


class RequestValidateView(TravelerPortalMixin, View):
    """Live validation (fetch/htmx POST of the unfinished wizard): ``{"errors": {field: msg}}``
    for the fields named in ``_check`` (default: those filled in), from the form's shape
    checks and the same business rules as the intake (``request_validate``). Writes nothing."""

    def post(self, request):
        form = RequestForm(request.POST, currency=request.user.currency)
        data, given = form.partial_intake()
        check = set(request.POST.getlist("_check")) or given
        errors = {name: " ".join(errs) for name, errs in form.errors.items() if name in check}
        try:
            request_validate(data)
        except DomainError as exc:
            errors.update({form_field(name): str(msg) for name, msg in exc.fields.items()
                           if form_field(name) in check & given})
        return JsonResponse({"errors": errors})


class RequestDetailView(TravelerPortalMixin, CachedRequestPageMixin, RequestScopeMixin, PartsMixin, TemplateView):
    """One request: where it stands and the next step (choose an expert, book a
    consultation, review recommendations, see the itinerary). ``?part=<name>`` renders one
    live-refreshed section only."""

    template_name = "traveler/request_detail.html"
    parts = {"status": "traveler/_request_status.html", "recommendations": "traveler/_request_recommendations.html",
             "elsewhere": "components/_elsewhere_list.html"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.state
        context.update(selectors.request_overview(self.request.user, state))
        context["review_form"] = ReviewForm()
        context["phases"] = [p for p in Phase if p != Phase.CANCELLED]
        context["cancellable_statuses"], context["closed_phases"] = list(HOLDING_STATUSES), list(NOT_CANCELLABLE)
        if state.phase in CHANGE_PHASES:
            context["requirements_card"] = self.requirements_card()
        context.update(panel_context(self, parse_int(self.request.GET.get("import") or "")))
        return context

    def requirements_card(self) -> SafeString:
        """The folded requirements form (a dozen widgets, most of the page's rendering), kept per
        the request's current values: the form is always unbound, so they are all it shows."""
        form = RequirementsForm.of(self.experience_request)
        values = hashlib.sha256(repr(sorted(form.initial.items())).encode()).hexdigest()[:16]
        return versioned_fragment(self.request, "traveler/_requirements.html", state=self.state, variant=values,
                                  context=lambda: {"requirements_form": form, "req": self.experience_request})


class _TravelerCommand(TravelerPortalMixin, CommandView):
    def default_next(self) -> str:
        return reverse("traveler:request_detail", args=[self.kwargs["request_id"]])


class ExpertChooseView(_TravelerCommand):
    success_message = gettext_lazy("We asked your expert. You will hear back soon.")

    def command(self, data):
        experts.expert_choose(state_id=self.state.pk, actor=self.request.user, expert_id=posted_id(data.get("expert")))


class ConsultationBookView(_TravelerCommand):
    success_message = gettext_lazy("Your consultation is booked.")

    def command(self, data):
        experts.consultation_book(state_id=self.state.pk, actor=self.request.user, slot_id=posted_id(data.get("slot")))


class BrowseStartView(_TravelerCommand):
    success_message = gettext_lazy("You are planning on your own now: add what you like from the catalogue.")

    def command(self, data):
        browse.browse_start(state_id=self.state.pk, actor=self.request.user)

    def default_next(self) -> str:
        return reverse("traveler:browse", args=[self.kwargs["request_id"]])


class RecommendationReviewView(_TravelerCommand):
    """Approve, reject or modify one recommended item."""

    success_message = gettext_lazy("Thanks, your expert sees your answer.")

    def command(self, data):
        form = ReviewForm(data)
        answer = cleaned(form)
        recommendations.recommendation_item_review(
            state_id=self.state.pk, actor=self.request.user, item_id=self.kwargs["item_id"],
            action=answer["action"], feedback=answer["feedback"], changes=form.changes())


class VendorNotesView(_TravelerCommand):
    """The notes the traveler addresses to the vendors who serve the request."""

    success_message = gettext_lazy("Saved. The vendors you booked see your notes.")

    def command(self, data):
        changes.vendor_notes_set(state_id=self.state.pk, actor=self.request.user, notes=data.get("vendor_notes", ""))


class RequirementsChangeView(_TravelerCommand):
    """New dates, budget or interests: bookings outside the new dates are cancelled under
    their vendor's policy, the others kept, and the plan is made again around them."""

    success_message = gettext_lazy("Changed. Your plan is made again for the new requirements.")

    def command(self, data):
        new = RequirementsForm.changes(cleaned(RequirementsForm(data)), self.experience_request)
        changes.requirements_change(state_id=self.state.pk, actor=self.request.user, **new)


class ChatPageView(TravelerPortalMixin, ChatContextMixin, TemplateView):
    """The conversation with the expert (the live chat fragment) and the vendors' threads."""

    template_name = "traveler/chat.html"
