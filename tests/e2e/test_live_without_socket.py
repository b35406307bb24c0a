"""A live part that starts as a placeholder loads with the page, even when the socket
never brings its snapshot (a proxy that holds or refuses WebSockets)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from apps.coordination.services.chat import message_post
from tests.factories import make_request

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_chat_loads_when_the_socket_stays_silent(login):
    state = make_request()
    traveler = state.request.traveler
    message_post(state_id=state.pk, actor=traveler, body="Can we start at ten?")
    page = login(traveler)
    page.route_web_socket("**/ws/**", lambda ws: None)  # accepted by the browser, never answered
    page.goto(f"/traveler/requests/{state.request_id}/chat/")
    expect(page.get_by_text("Can we start at ten?")).to_be_visible(timeout=5000)
    expect(page.get_by_text("Loading messages…")).to_have_count(0)
