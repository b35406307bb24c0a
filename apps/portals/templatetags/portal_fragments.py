"""Template tags over :mod:`apps.portals.fragments`."""
from django import template

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
