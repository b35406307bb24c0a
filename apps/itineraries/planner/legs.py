"""The arrival and departure in the plan: no visit on the arrival day before the traveler
has landed and reached the hotel, none on the departure day after they must leave it for
the airport or station (:class:`apps.requests.legs.Leg` knows the buffers and transfers).

Applied to the solver's instance: each day's tour starts no earlier and ends no later than
the legs allow (a day wholly before the arrival or after the departure holds nothing).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from apps.requests.legs import Leg

from . import toptw
from .build import DAY


def _minute(moment: dt.datetime, day: dt.date, tz: ZoneInfo) -> int:
    """``moment`` in minutes from the local midnight starting ``day`` (may be < 0 or > DAY)."""
    return int((moment - dt.datetime.combine(day, dt.time(), tzinfo=tz)).total_seconds() // 60)


def bound_days(problem: toptw.Problem, request, days: Sequence[dt.date], hotel: tuple[float, float]) -> None:
    """Shrink the tours of ``problem`` (one per date of ``days``) to the time between the
    request's arrival (+ leaving the terminal + the transfer to ``hotel``) and its departure
    (− check-in time − the transfer from ``hotel``)."""
    arrival, departure = Leg.from_json(request.arrival), Leg.from_json(request.departure)
    if arrival is None and departure is None:
        return
    tz = ZoneInfo(request.time_zone)
    free = arrival.free_at(*hotel) if arrival else None
    leave = departure.leave_by(*hotel) if departure else None
    for r, day in enumerate(days):
        if free is not None:
            problem.tour_start[r] = max(problem.tour_start[r], r * DAY + _minute(free, day, tz))
        if leave is not None:
            problem.tour_end[r] = min(problem.tour_end[r], r * DAY + _minute(leave, day, tz))
        problem.tour_start[r] = min(problem.tour_start[r], problem.tour_end[r])
