from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConfirmationImport(models.Model):
    """One uploaded confirmation and what was read from it, waiting for the uploader to
    confirm. The file itself is not kept: only its name and the bookings found."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Added to the trip")

    class Source(models.TextChoices):
        EML = "eml", _("E-mail")
        HTML = "html", _("HTML e-mail")
        TEXT = "text", _("Text")
        ICS = "ics", _("Calendar file")
        PDF = "pdf", _("PDF")

    request = models.ForeignKey("requests.ExperienceRequest", on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    source = models.CharField(max_length=8, choices=Source.choices)
    items = models.JSONField(default=list, help_text=_("The bookings found, as the preview shows them"))
    unreadable = models.JSONField(default=list, blank=True, help_text=_("What could not be read"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREVIEW)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"
