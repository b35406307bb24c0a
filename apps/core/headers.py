"""Response headers every page gets: ``Permissions-Policy``, and ``Cache-Control: private,
no-store`` under ``PRIVATE_PATH_PREFIXES`` so no shared cache (or the browser's disk) keeps
a traveler's plan, a share page or an API answer. The CSP comes from django-csp."""
from django.conf import settings
from django.utils.cache import add_never_cache_headers


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if request.path.startswith(settings.PRIVATE_PATH_PREFIXES):
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
        return response
