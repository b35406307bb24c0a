"""Capability links to a request's CURRENT itinerary: read-only share pages and private
calendar feeds. A token is ``<id>.<secret>``; the secret is compared in constant time,
so a lookup neither scans by secret nor leaks how much of it matched."""
from __future__ import annotations

import datetime as dt
import secrets

from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from apps.coordination.access import can_export
from apps.core.errors import DomainError, NotFound
from apps.core.ids import parse_int

from apps.itineraries.models import CalendarSubscription, ShareLink, TokenLink


def _require_owner(actor, request) -> None:
    if not can_export(actor, request.coordination):
        raise NotFound(_("Request not found."), code="request.not_found")


def _resolve(model: type[TokenLink], token: str) -> TokenLink:
    pk, _sep, secret = (token or "").partition(".")
    pk = parse_int(pk)
    link = None
    if pk is not None and secret:
        link = (model.objects.select_related("request__coordination__current_itinerary")
                .filter(pk=pk, revoked_at__isnull=True).first())
    if link is None or not constant_time_compare(link.secret, secret):
        raise NotFound(_("This link does not exist or was revoked."), code="link.not_found")
    return link


def share_link_create(*, request, actor, expires_at: dt.datetime | None = None) -> ShareLink:
    """A new read-only link to ``request``'s live itinerary.

    Preconditions: ``actor`` is the traveler, the request's expert or staff (else
    NotFound); ``expires_at`` (aware) lies in the future (else DomainError
    ``share.expiry_past``). Writes one ShareLink.
    """
    _require_owner(actor, request)
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(_("The expiry must be in the future."), code="share.expiry_past",
                          fields={"expires_at": _("Choose a later time.")})
    return ShareLink.objects.create(request=request, created_by=actor, expires_at=expires_at,
                                    secret=secrets.token_urlsafe(24))


def share_link_resolve(token: str) -> ShareLink:
    """The live, unexpired link for ``token``; NotFound otherwise (unknown, revoked, expired)."""
    link = _resolve(ShareLink, token)
    if link.expires_at is not None and link.expires_at <= timezone.now():
        raise NotFound(_("This link has expired."), code="link.expired")
    return link


def calendar_subscription_get_or_create(*, request, actor) -> CalendarSubscription:
    """The request's active calendar feed, created on first use. Same preconditions as
    :func:`share_link_create`."""
    _require_owner(actor, request)
    active = CalendarSubscription.objects.filter(request=request, revoked_at__isnull=True).first()
    return active or CalendarSubscription.objects.create(request=request, created_by=actor,
                                                         secret=secrets.token_urlsafe(24))


def calendar_subscription_resolve(token: str) -> CalendarSubscription:
    """The active feed for ``token``; NotFound once revoked."""
    return _resolve(CalendarSubscription, token)


def token_link_revoke(*, link: TokenLink, actor) -> TokenLink:
    """Revoke a share link or calendar feed (idempotent); its URL answers 404 from now on.

    Preconditions: as :func:`share_link_create`.
    """
    _require_owner(actor, link.request)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def token_links_for_request(request) -> tuple[list[ShareLink], CalendarSubscription | None]:
    """The request's active share links (newest first) and its active calendar feed."""
    links = list(ShareLink.objects.filter(request=request, revoked_at__isnull=True).order_by("-created_at"))
    feed = CalendarSubscription.objects.filter(request=request, revoked_at__isnull=True).first()
    return links, feed
