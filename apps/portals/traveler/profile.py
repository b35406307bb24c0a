"""The traveler's profile page: what the platform learned, and their own corrections."""
from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from apps.core.errors import DomainError
from apps.insights.selectors import traveler_profile_for
from apps.insights.services import traveler_profile_reset
from apps.portals.gates import TravelerPortalMixin
from apps.requests.models import INTERESTS
from apps.requests.services import traveler_profile_update

CHOICE = [("", gettext_lazy("As learned")), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]
INTEREST_CHOICES = [(i, gettext_lazy(i.capitalize())) for i in INTERESTS]


class ProfileForm(forms.Form):
    prefers_mornings = forms.ChoiceField(label=gettext_lazy("I prefer mornings"), choices=CHOICE, required=False)
    avoids_long_transfers = forms.ChoiceField(label=gettext_lazy("I avoid long transfers"), choices=CHOICE,
                                              required=False)
    more_of = forms.MultipleChoiceField(label=gettext_lazy("More of"), choices=INTEREST_CHOICES, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    less_of = forms.MultipleChoiceField(label=gettext_lazy("Less of"), choices=INTEREST_CHOICES, required=False,
                                        widget=forms.CheckboxSelectMultiple)

    def changes(self) -> dict:
        """Keyword arguments for :func:`traveler_profile_update`."""
        flag = {"yes": True, "no": False, "": None}
        data = self.cleaned_data
        interests = {**{i: -1.0 for i in data["less_of"]}, **{i: 1.0 for i in data["more_of"]}}
        return {"prefers_mornings": flag[data["prefers_mornings"]],
                "avoids_long_transfers": flag[data["avoids_long_transfers"]], "interests": interests}


class ProfileView(TravelerPortalMixin, FormView):
    """GET shows the learned profile; POST saves corrections, or ``reset`` forgets them."""

    template_name = "traveler/profile.html"
    form_class = ProfileForm

    def get_context_data(self, **kwargs):
        profile, preferences = traveler_profile_for(self.request.user)
        return super().get_context_data(profile=profile, preferences=preferences, **kwargs)

    def post(self, request, *args, **kwargs):
        if "reset" in request.POST:
            traveler_profile_reset(traveler=request.user, actor=request.user)
            messages.success(request, _("Your corrections are forgotten; we go by your trips again."))
            return redirect("traveler:profile")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            traveler_profile_update(traveler=self.request.user, actor=self.request.user, **form.changes())
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Your preferences are saved."))
        return redirect("traveler:profile")
