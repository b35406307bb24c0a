"""Shared set-up for the live-coordination tests (their world is
:func:`tests.factories.worlds.make_world`): session-authenticated WebSocket clients, the
channel layer on memory or Redis, and the client-side rules of ``static/js/live.js`` in
Python."""
from __future__ import annotations

import copy
import json
import os
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

ORIGIN = b"http://testserver"


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def channel_layer(request, settings):
    """The in-memory layer, and channels-redis with a prefix no other run shares."""
    if request.param == "redis":
        settings.CHANNEL_LAYERS = {"default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "prefix": f"test-{uuid.uuid4().hex[:10]}"}}}
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return request.param


@database_sync_to_async
def _session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def ws_connect(user, path: str, *, origin: bytes = ORIGIN) -> tuple[WebsocketCommunicator, dict]:
    """Open ``path`` through the real ASGI stack (origin check, session auth); returns
    the communicator and the first message (the snapshot, or the close frame)."""
    from traveloure.asgi import application

    headers = [(b"origin", origin), (b"host", b"testserver")]
    if user is not None:
        headers.append((b"cookie", await _session_cookie(user)))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    if not connected:
        return communicator, {"type": "rejected"}
    first = await communicator.receive_output(timeout=5)
    if first["type"] == "websocket.close":
        return communicator, {"type": "closed", "code": first.get("code")}
    return communicator, json.loads(first["text"])


async def drain(communicator: WebsocketCommunicator, timeout: float = 0.3) -> list[dict]:
    """Every message that arrives until ``timeout`` seconds pass in silence; a close frame
    ends the list as ``{"type": "closed", "code": …}``."""
    messages = []
    while not await communicator.receive_nothing(timeout=timeout, interval=0.02):
        output = await communicator.receive_output()
        if output["type"] == "websocket.close":
            messages.append({"type": "closed", "code": output.get("code")})
            break
        messages.append(json.loads(output["text"]))
    return messages


class LiveClient:
    """The client rules of ``static/js/live.js`` (keep the two in step):

    - reconnect to a request feed with ``?since=<last applied version>`` (:meth:`url`); the
      server then replays the missed events and says ``caught_up``, or sends a snapshot;
    - a close frame with 4401/4403/4404 ends the feed for good (``closed``);
    - drop an event whose version is not above the last applied one of its state;
    - on a ``complete`` stream a version gap means a lost message: ask for a snapshot;
    - apply: version and phase from the envelope; ``data.booking`` replaces the booking
      (events and snapshots carry the same booking JSON); ``data.message`` appends to its thread (created
      if new), counting it unread unless the user wrote it; on ``/ws/me/`` the request
      list gets the state's phase and version.
    """

    def __init__(self, user_id: int, snapshot: dict):
        self.user_id = user_id
        self.snapshot = copy.deepcopy(snapshot)
        self.versions: dict[int, int] = {}
        if "state" in snapshot:
            self.versions[snapshot["state"]] = snapshot["version"]
        for entry in snapshot.get("requests", []):
            self.versions[entry["state"]] = entry["version"]
        self.needs_resync = False
        self.closed: int | None = None

    def url(self, path: str) -> str:
        """The address to reconnect to (``live.js`` ``LiveFeed.url``)."""
        if path.startswith("/ws/requests/") and len(self.versions) == 1:
            return f"{path}?since={next(iter(self.versions.values()))}"
        return path

    def receive(self, message: dict) -> bool:
        """Apply one server message; False when it was a duplicate."""
        if message["type"] == "snapshot":
            self.__init__(self.user_id, message)
            return True
        if message["type"] == "closed":
            self.closed = message["code"]
            return True
        if message["type"] == "caught_up":
            return True
        state, version = message["state"], message["version"]
        if version <= self.versions.get(state, 0):
            return False
        if self.snapshot.get("complete") and version != self.versions.get(state, 0) + 1:
            self.needs_resync = True
        self.versions[state] = version
        self._apply(message)
        return True

    def _apply(self, message: dict) -> None:
        snap, data = self.snapshot, message.get("data") or {}
        if "requests" in snap:
            entry = {"request": message["request"], "state": message["state"], "phase": message["phase"],
                     "version": message["version"]}
            snap["requests"] = sorted([r for r in snap["requests"] if r["state"] != message["state"]] + [entry],
                                      key=lambda r: r["request"])
        if snap.get("state") != message["state"]:
            return
        snap["version"] = message["version"]
        if "phase" in snap:
            snap["phase"] = message["phase"]
        booking = data.get("booking")
        if isinstance(booking, dict) and "id" in booking:
            others = [b for b in snap["bookings"] if b["id"] != booking["id"]]
            snap["bookings"] = sorted(others + [booking], key=lambda b: b["id"])
        posted = data.get("message")
        if isinstance(posted, dict) and isinstance(data.get("thread"), dict):
            thread = next((t for t in snap["threads"] if t["id"] == data["thread"]["id"]), None)
            if thread is None:
                thread = {**data["thread"], "messages": 0, "unread": 0, "last": None}
                snap["threads"] = sorted(snap["threads"] + [thread], key=lambda t: t["id"])
            thread["messages"] += 1
            thread["unread"] += posted["author"] != self.user_id
            thread["last"] = posted

