"""Refuse a query string that carries a NUL character (``%00``) with a 400.

No parameter of ours may hold one, and PostgreSQL cannot store or compare a text with it:
a view passing such a value on to a filter (a search, a status) would fail with a 500 in
the database. Form and JSON bodies need no such guard: Django's and DRF's character
fields already refuse NUL characters."""
from django.core.exceptions import BadRequest


class NulQueryStringMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" in request.META.get("QUERY_STRING", "") and any(
                "\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values):
            raise BadRequest("A query parameter holds a NUL character.")
        return self.get_response(request)
