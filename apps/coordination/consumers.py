"""WebSocket feeds. Thin: authenticate from the scope, authorize with a selector, join
the groups the server chooses, forward events. Close codes: 4401 anonymous, 4404 not
visible (never reveals whether the request exists)."""
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.accounts.models import Role

from .models import CoordinationState
from .selectors import state_visible_to

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404


class _EventConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        groups = await self.groups_for(user)
        if not groups:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.groups_joined = groups
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def coordination_event(self, message):
        await self.send_json({key: value for key, value in message.items() if key != "type"})

    async def groups_for(self, user) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError


class RequestConsumer(_EventConsumer):
    """``/ws/requests/<id>/``: the whole request for its traveler, expert and staff."""

    async def groups_for(self, user):
        request_id = self.scope["url_route"]["kwargs"]["request_id"]
        visible = await database_sync_to_async(_request_visible)(user, request_id)
        return [f"request.{request_id}"] if visible else []


class MeConsumer(_EventConsumer):
    """``/ws/me/``: everything addressed to the user (a vendor: its own bookings only)."""

    async def groups_for(self, user):
        return await database_sync_to_async(_my_groups)(user)


def _request_visible(user, request_id: int) -> bool:
    state = CoordinationState.objects.select_related("request", "expert").filter(request_id=request_id).first()
    return state is not None and state_visible_to(user, state)


def _my_groups(user) -> list[str]:
    if user.role == Role.STAFF or user.is_superuser:
        return ["staff"]
    if user.role == Role.VENDOR:
        vendor = getattr(user, "vendor", None)
        return [f"vendor.{vendor.pk}"] if vendor else []
    return [f"user.{user.pk}"]
