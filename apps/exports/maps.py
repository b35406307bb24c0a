"""A day map as inline SVG drawn from coordinates alone: no tiles, no network.

Equirectangular projection scaled by cos(latitude), which is exact enough at city scale.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_KM = 6371.0088


@dataclass(frozen=True)
class MapPoint:
    number: int
    lat: float
    lon: float


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def _nice_km(span_km: float) -> float:
    """A round scale-bar length close to a quarter of the map width."""
    target = max(span_km / 4, 0.05)
    magnitude = 10 ** math.floor(math.log10(target))
    return next(step * magnitude for step in (5, 2, 1) if step * magnitude <= target)


def day_map_svg(points: list[MapPoint], *, width: int = 640, height: int = 260, pad: int = 28) -> str:
    """SVG markup: the route in order, numbered markers, a scale bar and a north arrow.

    ``points`` in visiting order; returns "" with fewer than one point.
    """
    if not points:
        return ""
    lat0 = sum(p.lat for p in points) / len(points)
    kx = math.cos(math.radians(lat0))
    xs = [p.lon * kx for p in points]
    ys = [p.lat for p in points]
    span_x, span_y = max(max(xs) - min(xs), 0.004), max(max(ys) - min(ys), 0.004)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def project(x: float, y: float) -> tuple[float, float]:
        return width / 2 + (x - cx) * scale, height / 2 - (y - cy) * scale

    coords = [project(x, y) for x, y in zip(xs, ys)]
    km_per_px = (math.pi / 180 * EARTH_KM) / scale
    bar_km = _nice_km(width * km_per_px)
    bar_px = bar_km / km_per_px
    label = f"{bar_km:g} km" if bar_km >= 1 else f"{bar_km * 1000:g} m"
    grid = "".join(f'<line x1="{x}" y1="0" x2="{x}" y2="{height}"/>' for x in range(0, width, 40))
    grid += "".join(f'<line x1="0" y1="{y}" x2="{width}" y2="{y}"/>' for y in range(0, height, 40))
    route = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    markers = "".join(
        f'<g transform="translate({x:.1f},{y:.1f})"><circle r="11"/><text y="4" fill="#fff" stroke="none">{p.number}</text></g>'
        for p, (x, y) in zip(points, coords)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="day-map" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img">'
        f'<rect width="{width}" height="{height}" fill="#eef4f3"/>'
        f'<g stroke="#dbe6e4" stroke-width="1">{grid}</g>'
        f'<polyline points="{route}" fill="none" stroke="#0f6d6a" stroke-width="3" stroke-dasharray="7 5" '
        f'stroke-linejoin="round" stroke-linecap="round"/>'
        f'<g fill="#e0793a" stroke="#fff" stroke-width="2" font-family="DejaVu Sans" font-size="11" '
        f'font-weight="bold" text-anchor="middle">{markers}</g>'
        f'<g transform="translate(14,{height - 14})" font-family="DejaVu Sans" font-size="10" fill="#1d2430">'
        f'<rect width="{bar_px:.1f}" height="4" y="-4" fill="#1d2430"/><text y="-8">{label}</text></g>'
        f'<g transform="translate({width - 22},24)" font-family="DejaVu Sans" font-size="10" fill="#1d2430" '
        f'text-anchor="middle"><path d="M0,-12 L5,2 L0,-2 L-5,2 Z"/><text y="14">N</text></g>'
        f"</svg>"
    )
