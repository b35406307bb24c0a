from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from apps.integrations.currency import supported_currencies

from .models import User


class SignUpForm(UserCreationForm):
    email = forms.EmailField(label=_("E-mail"))
    currency = forms.ChoiceField(label=_("Preferred currency"), initial="USD")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "first_name", "last_name", "currency")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [(c, c) for c in sorted(supported_currencies())]
