"""The words of the plan: why each item was chosen and why at that time."""
from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from .build import MEALS, Node
from .conflicts import hhmm
from .hours import Window

MEAL_NAMES = {"lunch": _("lunch"), "dinner": _("dinner")}
UNKNOWN_HOURS = _("opening hours not known — check before you go")


def _span(rain: Sequence[Window]) -> str:
    return ", ".join(f"{hhmm(a)}–{hhmm(b)}" for a, b in rain)


def reasoning(node: Node, start: int, *, rain: Sequence[Window], holiday: str, lunch_break: int = 0) -> str:
    """"chosen because: …; <why at that time>" for one scheduled node (start in day minutes).

    Says only what is known: "open then" needs known opening hours, rain words need a
    forecast of rain that day."""
    cand = node.cand
    because = "; ".join(cand.reasons) or _("fits the free time between your other plans")
    end = start + cand.duration
    if node.forced:
        when = node.why_fixed
    elif node.meal:
        lo, hi = MEALS[node.meal]
        when = _("%(start)s–%(end)s fits the %(lo)s–%(hi)s %(meal)s window") % {
            "start": hhmm(start), "end": hhmm(end), "lo": hhmm(lo), "hi": hhmm(hi), "meal": MEAL_NAMES[node.meal]}
    elif cand.slots:
        when = _("the vendor has a free slot at %(time)s") % {"time": hhmm(start)}
    elif cand.hours_known:
        when = _("open then; %(start)s–%(end)s fits the day's route") % {"start": hhmm(start), "end": hhmm(end)}
    else:
        when = _("%(start)s–%(end)s fits the day's route") % {"start": hhmm(start), "end": hhmm(end)}
    parts = [_("chosen because: %(why)s") % {"why": because}, when]
    if not cand.hours_known and not cand.slots and not node.forced:
        parts.append(UNKNOWN_HOURS)
    if lunch_break:
        parts.append(_("a long lunch: the day's break"))
    if rain:
        parts.append(_("indoors, out of the rain (%(span)s)") % {"span": _span(rain)} if cand.indoor
                     else _("outdoors in the dry hours (rain %(span)s)") % {"span": _span(rain)})
    if holiday:
        parts.append(_("public holiday (%(name)s): expect crowds") % {"name": holiday})
    parts.extend(cand.notes)
    return "; ".join(parts)
