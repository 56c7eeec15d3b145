"""A short round trip from a depot through a handful of stops: nearest neighbour, then 2-opt."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

Coordinate = tuple[float, float]


def tour_length(depot: Coordinate, stops: Sequence[Coordinate]) -> float:
    """Euclidean length of depot → stops in the given order → depot."""
    path = [depot, *stops, depot]
    return sum(math.dist(a, b) for a, b in itertools.pairwise(path))


def short_tour(depot: Coordinate, stops: Sequence[Coordinate]) -> tuple[int, ...]:
    """Visiting order (indices into ``stops``) of a tour that no 2-opt move shortens."""
    left = set(range(len(stops)))
    order: list[int] = []
    here = depot
    while left:
        nearest = min(left, key=lambda i: (math.dist(here, stops[i]), i))
        order.append(nearest)
        left.remove(nearest)
        here = stops[nearest]
    return tuple(_two_opt(depot, stops, order))


def _two_opt(depot: Coordinate, stops: Sequence[Coordinate], order: list[int]) -> list[int]:
    points = [depot, *(stops[i] for i in order), depot]
    ids = [-1, *order, -1]
    improved = True
    while improved:
        improved = False
        for i in range(1, len(points) - 2):
            for j in range(i + 1, len(points) - 1):
                before = math.dist(points[i - 1], points[i]) + math.dist(points[j], points[j + 1])
                after = math.dist(points[i - 1], points[j]) + math.dist(points[i], points[j + 1])
                if after < before - 1e-9:
                    points[i : j + 1] = points[i : j + 1][::-1]
                    ids[i : j + 1] = ids[i : j + 1][::-1]
                    improved = True
    return ids[1:-1]
