"""Portal-agnostic live fragments any portal page can include (see static/js/live.js):

- ``live:chat`` — ``<prefix>/requests/<request_id>/chat/[?booking=<id>]``: GET the chat
  fragment (marks the thread read), POST ``body`` to post and get it back re-rendered.
- ``live:checks`` — the trip check panel (:mod:`.checks`).
- ``live:notifications`` — ``<prefix>/notifications/``: GET the notification centre
  fragment, POST to mark all read.

Mount once, e.g. ``path("live/", include("apps.portals.chat"))`` in traveloure/urls.py, and
put a container on the page::

    <div data-live-socket="/ws/requests/{{ id }}/" data-live-events="message.posted"
         data-live-refresh="{% url 'live:chat' id %}"></div>

Any signed-in role may use them; what they show is scoped by the access policy (404 out of scope).
"""
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.views import View

from apps.coordination.access import bookings_visible_to, live_access
from apps.coordination.selectors import notification_list_for_user, notification_unread_count
from apps.coordination.services.chat import message_post, thread_mark_read
from apps.coordination.services.notifications import notification_mark_read
from apps.coordination.snapshot import message_list_for_user, thread_list_for_user
from apps.core.errors import DomainError
from apps.core.ids import parse_int

from .checks import urlpatterns as checks_urls

CHAT_PAGE = 50


class ChatView(LoginRequiredMixin, View):
    """One thread of a request: the main one, or with ``?booking=`` the booking's (the
    only kind a vendor may open)."""

    def _context(self, request, request_id: int, error: str = "") -> dict:
        access = live_access(request.user, request_id)
        booking_id = parse_int(request.GET.get("booking"))
        if access is None or (booking_id is None and not access.full):
            raise Http404
        if booking_id is not None and not bookings_visible_to(request.user).filter(
                pk=booking_id, state=access.state).exists():
            raise Http404
        thread = thread_list_for_user(request.user, access.state).filter(booking_id=booking_id).first()
        messages = []
        if thread is not None:
            messages = list(message_list_for_user(request.user, request_id, thread_id=thread.pk)[:CHAT_PAGE])[::-1]
            thread_mark_read(thread=thread, user=request.user)
        url = reverse("live:chat", args=[request_id]) + (f"?booking={booking_id}" if booking_id else "")
        return {"state_id": access.state.pk, "thread": thread, "chat_messages": messages, "chat_url": url, "booking_id": booking_id,
                "time_zone": access.state.request.time_zone, "error": error}

    def get(self, request, request_id: int):
        return render(request, "components/_chat.html", self._context(request, request_id))

    def post(self, request, request_id: int):
        context = self._context(request, request_id)
        try:
            message_post(state_id=context["state_id"], actor=request.user, body=request.POST.get("body", ""),
                         booking_id=context["booking_id"])
        except DomainError as exc:
            return render(request, "components/_chat.html", {**context, "error": exc.message}, status=exc.status)
        return render(request, "components/_chat.html", self._context(request, request_id))


class NotificationsView(LoginRequiredMixin, View):
    """The signed-in user's notification centre (latest 20, unread count)."""

    def _render(self, request):
        items = notification_list_for_user(request.user)[:20]
        return render(request, "components/_notifications.html", {
            "notifications": items, "unread": notification_unread_count(request.user)})

    def get(self, request):
        return self._render(request)

    def post(self, request):
        notification_mark_read(user=request.user)
        return self._render(request)


app_name = "live"
urlpatterns = checks_urls + [
    path("requests/<id:request_id>/chat/", ChatView.as_view(), name="chat"),
    path("notifications/", NotificationsView.as_view(), name="notifications"),
]
