"""The "Add a booking you made elsewhere" panel on the traveler's and the expert's request
page: upload a confirmation → its preview → confirm. With htmx the panel swaps itself;
without, each step comes back to the request page (``?import=<id>`` shows the preview)."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from apps.core.errors import DomainError
from apps.imports.selectors import elsewhere_panel
from apps.imports.services import import_confirm, import_preview, require_importer
from apps.imports.uploads import uploaded_confirmation

from .gates import ExpertPortalMixin, TravelerPortalMixin
from .shared import RequestScopeMixin, error_text

PANEL = "components/_import_panel.html"


def panel_context(view, preview_id: int | None = None) -> dict:
    """What the panel needs on a request page of ``view``'s portal."""
    portal = "expert" if isinstance(view, ExpertPortalMixin) else "traveler"
    req = view.experience_request
    return {**elsewhere_panel(view.request.user, view.state, preview_id=preview_id),
            "import_url": reverse(f"{portal}:import_upload", args=[req.pk]),
            "page_url": reverse("expert:request" if portal == "expert" else "traveler:request_detail", args=[req.pk])}


class _PanelStep(RequestScopeMixin, View):
    """One step of the panel (POST): scope first (404), then :meth:`step`; a refusal is
    shown in the panel (htmx) or as a flash message."""

    def step(self, request) -> tuple[int | None, str]:
        """Run the step; returns (the import to preview, or None; the success message)."""
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        preview_id, error, done = None, "", ""
        if self.experience_request:
            try:
                preview_id, done = self.step(request)
            except DomainError as exc:
                if exc.status == 404:
                    raise Http404(exc.message) from None
                error = error_text(exc)
        context = panel_context(self, preview_id)
        if request.htmx:  # htmx swaps only 2xx answers: the refusal is the panel's own message
            return render(request, PANEL, {**context, "req": self.experience_request, "import_error": error,
                                           "import_done": done})
        if error:
            messages.error(request, error)
        elif done:
            messages.success(request, done)
        url = context["page_url"]
        return redirect(f"{url}?import={preview_id}#elsewhere" if preview_id else f"{url}#elsewhere")


class ImportUploadStep(_PanelStep):
    def step(self, request):
        require_importer(request=self.experience_request, actor=request.user)
        name, data = uploaded_confirmation(request)
        return import_preview(request=self.experience_request, actor=request.user, file_name=name, data=data).pk, ""


class ImportConfirmStep(_PanelStep):
    def step(self, request):
        added = import_confirm(request=self.experience_request, actor=request.user,
                               import_id=self.kwargs["import_id"])
        return None, _("Added to your trip: %(titles)s.") % {"titles": ", ".join(b.title for b in added)}


class TravelerImportUploadView(TravelerPortalMixin, ImportUploadStep):
    pass


class TravelerImportConfirmView(TravelerPortalMixin, ImportConfirmStep):
    pass


class ExpertImportUploadView(ExpertPortalMixin, ImportUploadStep):
    pass


class ExpertImportConfirmView(ExpertPortalMixin, ImportConfirmStep):
    pass
