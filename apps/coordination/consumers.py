"""WebSocket feeds. Thin: authenticate from the scope, authorize with a selector, join
the groups the server chooses, send a snapshot, forward events.

Protocol (server → client), all JSON:
- ``{"type": "snapshot", "version": v, ...}`` first (see :mod:`apps.coordination.snapshot`),
  again after the client sends ``{"type": "resync"}`` (it saw a version gap);
- ``{"type": "event", "state", "request", "version", "event", "phase", "data", "at"}``
  for each change after the snapshot. Delivery is at least once: clients drop what
  they already applied by ``(state, version)``.

Refusals accept and then close at once, so that browsers see the code: 4401 anonymous,
4403 signed in without a feed (e.g. a vendor login with no vendor), 4404 request not
visible (never reveals whether it exists).
"""
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.accounts.models import Role

from .snapshot import live_access, me_snapshot, request_snapshot

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
        await self.send_snapshot()

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "resync":
            await self.send_snapshot()

    async def send_snapshot(self):
        snapshot = await database_sync_to_async(self.snapshot)(self.scope["user"])
        self.versions = {entry["state"]: entry["version"] for entry in snapshot.get("requests", [])}
        if "state" in snapshot:
            self.versions[snapshot["state"]] = snapshot["version"]
        await self.send_json(snapshot)

    async def coordination_event(self, message):
        state, version = message.get("state"), message.get("version", 0)
        if self.wants(message) and version > self.versions.get(state, 0):
            self.versions[state] = version
            await self.send_json({**message, "type": "event"})

    def authorize(self, user) -> int | None:  # pragma: no cover - abstract
        """Set ``groups_joined``; return a close code to refuse."""
        raise NotImplementedError

    def snapshot(self, user) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def wants(self, message: dict) -> bool:
        return True


class RequestConsumer(_EventConsumer):
    """``/ws/requests/<id>/[?since=<version>]``: one request, scoped to the user.

    ``since`` is accepted for symmetry with reconnecting clients; the snapshot always
    carries the current version, so nothing before it is replayed.
    """

    access = None

    def authorize(self, user):
        self.access = live_access(user, self.scope["url_route"]["kwargs"]["request_id"])
        if self.access is None:
            return CLOSE_NOT_FOUND
        self.groups_joined = (self.access.group,)
        return None

    def snapshot(self, user):
        return request_snapshot(user, self.access)

    def wants(self, message):
        # A vendor's group carries all its bookings: keep this request's.
        return message.get("state") == self.access.state.pk


class MeConsumer(_EventConsumer):
    """``/ws/me/``: everything addressed to the user (a vendor: its own bookings only,
    staff: every request)."""

    def authorize(self, user):
        if user.role == Role.STAFF or user.is_superuser:
            self.groups_joined = ("staff",)
        elif user.role == Role.VENDOR:
            vendor = getattr(user, "vendor", None)
            if vendor is None:
                return CLOSE_FORBIDDEN
            self.groups_joined = (f"vendor.{vendor.pk}",)
        else:
            self.groups_joined = (f"user.{user.pk}",)
        return None

    def snapshot(self, user):
        return me_snapshot(user)
