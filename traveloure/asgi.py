"""ASGI entry point: HTTP through Django, WebSockets through Channels (session auth)."""
import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traveloure.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from django.conf import settings  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from apps.coordination.routing import websocket_urlpatterns  # noqa: E402
from apps.core.bodylimit import BodyLimit  # noqa: E402
from traveloure.daphne_limits import install as install_daphne_limits  # noqa: E402

install_daphne_limits(settings.MAX_REQUEST_BYTES)  # only daphne's request class: see the module
# The URLconf (every view, form and serializer: ~0.6 s of imports, seconds on a busy start)
# is loaded now, before the server accepts a connection. Left to the first request, it held
# up every request that came in meanwhile (the bookings bench's fixed ~3 s p99).
get_resolver().resolve("/healthz")

application = ProtocolTypeRouter({
    # Bodies over the cap are refused before Django reads (and spools) them.
    "http": BodyLimit(django_asgi_app, settings.MAX_REQUEST_BYTES),
    "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
})

# What start-up loaded lives as long as the process: out of the collector's full passes,
# whose pauses (100+ ms with everything imported) were the live fan-out's tail latency.
gc.freeze()
