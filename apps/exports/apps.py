from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """The traveler's outputs (PDF, calendar, confirmation package, budget, share links):
    read models over itineraries and bookings, so they sit above coordination. Their rows
    (export jobs, links) are ``apps.itineraries`` models."""

    name = "apps.exports"
    label = "exports"
