"""WebSocket feeds. Thin: authenticate from the scope, authorize with the access policy, join
the groups the server chooses, send a snapshot, forward events.

Protocol (server → client), all JSON:
- ``{"type": "snapshot", "version": v, ...}`` first (see :mod:`apps.coordination.snapshot`),
  again after the client sends ``{"type": "resync"}`` (it saw a version gap);
- or, on ``/ws/requests/<id>/?since=<v>`` when the client missed at most
  ``TRAVELOURE["LIVE_CATCH_UP_EVENTS"]`` events, those events instead, then
  ``{"type": "caught_up", "state", "version"}``;
- ``{"type": "event", "state", "request", "version", "event", "phase", "data", "at"}``
  for each change after that. Delivery is at least once: clients drop what they already
  applied by ``(state, version)``.

Refusals accept and then close at once, so that browsers see the code: 4401 anonymous,
4403 signed in without a feed (e.g. a vendor login with no vendor), 4404 request not
visible (never reveals whether it exists). A request feed whose user loses access while
connected (see ``ACCESS_EVENTS``) is closed with 4404 too.
"""
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.core.ids import parse_int

from .access import live_access, me_group
from .relay import event_frame
from .snapshot import events_since, me_snapshot, request_snapshot

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


class _EventConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: tuple[str, ...] = ()
    # Last version forwarded per state: re-published rows and versions already in the
    # snapshot are not sent again.
    versions: dict[int, int]

    async def connect(self):
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        refusal = await database_sync_to_async(self.authorize)(user)
        if refusal:
            await self.close(code=refusal)
            return
        # Join before the snapshot is read: an event committed meanwhile is either in the
        # snapshot (and dropped below by version) or arrives after it.
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.start()

    async def start(self):
        """What a client gets first once authorized: a snapshot."""
        await self.send_snapshot()

    async def disconnect(self, code):
        await self.leave_groups()

    async def leave_groups(self):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = ()

    async def receive_json(self, content, **kwargs):
        # groups_joined is empty once the feed was closed.
        if isinstance(content, dict) and content.get("type") == "resync" and self.groups_joined:
            await self.send_snapshot()

    async def send_snapshot(self):
        snapshot = await database_sync_to_async(self.snapshot)(self.scope["user"])
        self.versions = {entry["state"]: entry["version"] for entry in snapshot.get("requests", [])}
        if "state" in snapshot:
            self.versions[snapshot["state"]] = snapshot["version"]
        await self.send_json(snapshot)

    async def dispatch(self, message):
        """Live events skip Channels' per-message ``close_old_connections``: it runs on the
        process's one shared sync thread, where hundreds of sockets receiving the same event
        queued for it although forwarding reads nothing. A handler that does read goes
        through ``database_sync_to_async``, which closes stale connections itself."""
        if message["type"] == "coordination.event":
            await self.coordination_event(message)
        else:
            await super().dispatch(message)

    async def coordination_event(self, message):
        if self.wants(message):
            await self.forward(message)

    async def forward(self, message):
        state, version = message.get("state"), message.get("version", 0)
        if version > self.versions.get(state, 0):
            self.versions[state] = version
            await self.send(text_data=message.get("frame") or event_frame(message))

    def authorize(self, user) -> int | None:  # pragma: no cover - abstract
        """Set ``groups_joined``; return a close code to refuse."""
        raise NotImplementedError

    def snapshot(self, user) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def wants(self, message: dict) -> bool:
        return True


# Events after which a request feed's user may have lost access: the expert was replaced
# (declined, timed out), the request was cancelled or repaired by staff, a vendor's booking
# fell through (its last live booking there gone). On these the feed re-checks access.
ACCESS_EVENTS = frozenset({"expert.declined", "expert.timed_out", "request.cancelled", "state.repaired",
                           "booking.declined", "booking.expired", "booking.cancelled"})


class RequestConsumer(_EventConsumer):
    """``/ws/requests/<id>/[?since=<version>]``: one request, scoped to the user.

    With ``since`` (the last version the client applied) the missed events are replayed
    instead of a snapshot when there are not too many (:func:`events_since`).
    Access is checked again (:func:`live_access`) when an ``ACCESS_EVENTS`` event arrives,
    or a version gap on a complete stream may hide one: if it is gone, the feed leaves its
    group and closes with 4404 without forwarding that event or any later one.
    """

    access = None

    @property
    def request_id(self) -> int:
        return self.scope["url_route"]["kwargs"]["request_id"]

    def authorize(self, user):
        self.access = live_access(user, self.request_id)
        if self.access is None:
            return CLOSE_NOT_FOUND
        self.groups_joined = (self.access.group,)
        return None

    def snapshot(self, user):
        return request_snapshot(user, self.access)

    def wants(self, message):
        # A vendor's group carries all its bookings: keep this request's.
        return self.access is not None and message.get("state") == self.access.state.pk

    async def start(self):
        since = self._since()
        replay = None if since is None else await database_sync_to_async(events_since)(self.access, since)
        if replay is None:
            await self.send_snapshot()
            return
        state = self.access.state.pk
        self.versions = {state: since}
        for message in replay:
            await self.forward(message)
        if self.access is not None:
            await self.send_json({"type": "caught_up", "state": state, "version": self.versions[state]})

    def _since(self) -> int | None:
        values = parse_qs(self.scope.get("query_string", b"").decode()).get("since", [])
        return parse_int(values[0]) if values else None

    async def forward(self, message):
        if self.access is None:  # closed for lost access; messages already queued are dropped
            return
        last = self.versions.get(message["state"], 0)
        gap = self.access.full and message.get("version", 0) > last + 1
        if message.get("event") in ACCESS_EVENTS or gap:
            self.access = await database_sync_to_async(live_access)(self.scope["user"], self.request_id)
            if self.access is None:
                await self.leave_groups()
                await self.close(code=CLOSE_NOT_FOUND)
                return
        await super().forward(message)


class MeConsumer(_EventConsumer):
    """``/ws/me/``: everything addressed to the user (a vendor: its own bookings only,
    staff: every request)."""

    def authorize(self, user):
        group = me_group(user)
        if group is None:
            return CLOSE_FORBIDDEN
        self.groups_joined = (group,)
        return None

    def snapshot(self, user):
        return me_snapshot(user)
