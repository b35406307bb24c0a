"""Template tags over :mod:`apps.portals.fragments`."""
from django import template
from django.utils.html import json_script

from apps.coordination.phases import BookingStatus, Phase
from apps.portals.fragments import versioned_fragment

register = template.Library()


@register.simple_tag(takes_context=True)
def request_head(context, template_name: str):
    """A request page's head (``template_name``: the request's facts, its phase, the tabs
    with the page's own marked), rendered once per state version and page. Only for heads
    that show nothing but the request (``req``) and its state (``state``): every change of
    them is an engine command, which bumps the version."""
    request, state = context["request"], context["state"]
    return versioned_fragment(request, template_name, state=state, variant=request.resolver_match.view_name,
                              context=lambda: {"req": context["req"], "state": state})


@register.simple_tag
def live_labels():
    """The words for the phases and booking statuses, in the page's language, for live.js
    to show when an event changes one (the events carry the codes)."""
    return json_script({"phase": dict(Phase.choices), "booking": dict(BookingStatus.choices)}, "live-labels")
