from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.generic import FormView

from .forms import SignUpForm
from .models import Role
from .services import user_create


def landing(request):
    """``/``: what Traveloure is, with sign-up and login, for visitors; signed-in users go
    straight to their portal."""
    if request.user.is_authenticated:
        return redirect(request.user.portal_home)
    return render(request, "landing.html")


@login_required
def home(request):
    """Send each role to its portal home."""
    return redirect(request.user.portal_home)


class SignUpView(FormView):
    """Traveler sign-up; experts and vendors are onboarded by staff."""

    template_name = "accounts/signup.html"
    form_class = SignUpForm

    def form_valid(self, form):
        data = form.cleaned_data
        user = user_create(username=data["username"], email=data["email"], password=data["password1"],
                           role=Role.TRAVELER, first_name=data.get("first_name", ""),
                           last_name=data.get("last_name", ""), currency=data["currency"])
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(user.portal_home)
