"""The planner's result: plain, JSON-able dataclasses (no database rows)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from apps.core.money import Money


@dataclass
class PlanItem:
    kind: str
    title: str
    start: dt.datetime  # aware, destination time zone
    end: dt.datetime
    key: str = ""  # "offering:<id>" / "place:<id>": names the candidate for re-planning
    place_name: str = ""
    lat: float | None = None
    lon: float | None = None
    offering_id: int | None = None
    slot_id: int | None = None
    place_id: int | None = None
    price: Decimal | None = None
    travel_from_previous_min: int = 0
    reasoning: str = ""
    tips: list[str] = field(default_factory=list)
    pinned: bool = False
    offer: dict | None = None  # a stay from the hotel provider: its offer (apps.itineraries.planner.stay.offer_json)

    def as_dict(self, currency: str) -> dict:
        return {
            "kind": self.kind, "title": self.title, "start": self.start.isoformat(), "end": self.end.isoformat(),
            "place": {"name": self.place_name, "lat": self.lat, "lon": self.lon}, "offering": self.offering_id,
            "slot": self.slot_id, "key": self.key,
            "price": Money(self.price, currency).as_dict() if self.price is not None else None,
            "travel_from_previous_min": self.travel_from_previous_min, "reasoning": self.reasoning,
            "tips": list(self.tips), "pinned": self.pinned, **({"offer": self.offer} if self.offer else {}),
        }


@dataclass
class PlanDay:
    date: dt.date
    weather: dict
    items: list[PlanItem] = field(default_factory=list)
    notes: str = ""
    route: list = field(default_factory=list)  # the street path through the day's stops ([lat, lon]), if known


@dataclass
class Plan:
    time_zone: str
    currency: str
    days: list[PlanDay]
    left_out: list[dict]
    conflicts: list[dict]
    total: Decimal
    solver: dict = field(default_factory=dict)  # score, iterations, seconds, prepare_s…: for benchmarks and logs
    data_notes: list[str] = field(default_factory=list)  # data the plan did without (provider down, no forecast)

    @property
    def items(self) -> list[PlanItem]:
        return [item for day in self.days for item in day.items]

    def as_dict(self) -> dict:
        return {
            "time_zone": self.time_zone, "currency": self.currency,
            "days": [{"date": d.date.isoformat(), "weather": d.weather, "notes": d.notes,
                      "items": [i.as_dict(self.currency) for i in d.items]} for d in self.days],
            "total": Money(self.total, self.currency).as_dict(), "left_out": self.left_out,
            "conflicts": self.conflicts, "data_notes": list(self.data_notes),
        }
