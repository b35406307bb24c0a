from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from apps.coordination.selectors import request_list_for_user
from apps.coordination.services.intake import request_submit
from apps.core.errors import DomainError
from apps.core.portals import TravelerPortalMixin

from .forms import RequestForm


class HomeView(TravelerPortalMixin, ListView):
    template_name = "traveler/home.html"
    context_object_name = "requests"
    paginate_by = 20

    def get_queryset(self):
        return request_list_for_user(self.request.user)


class RequestCreateView(TravelerPortalMixin, FormView):
    template_name = "traveler/request_create.html"
    form_class = RequestForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "currency": self.request.user.currency}

    def form_valid(self, form):
        try:
            request_submit(traveler=self.request.user, data=form.to_intake())
        except DomainError as exc:
            for field, message in exc.fields.items():
                form.add_error(field if field in form.fields else None, message)
            return self.form_invalid(form)
        messages.success(self.request, _("Your request is in. We are finding the right people for it."))
        return redirect("traveler:home")
