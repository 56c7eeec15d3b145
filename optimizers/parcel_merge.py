"""Choose shipping days so that as few trips as possible are needed, and merge orders into parcels.

Each order may ship on any day of its window ``[ready_day, min(ready_day + hold, due_day)]``; picking
the fewest days that hit every window (earliest window end first) is optimal, and that number of days
is a lower bound on the trips any rule-abiding plan needs in a region. Orders of one customer at one
address that leave on the same day then travel as one parcel.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import NamedTuple

from optimizers.consolidation_types import AllocatedOrder, Parcel


class Window(NamedTuple):
    first: int
    last: int


def ship_window(order: AllocatedOrder, hold_days: int) -> Window:
    """The days on which ``order`` may leave: from ready, up to ``hold_days`` later, never past due."""
    return Window(order.ready_day, min(order.ready_day + hold_days, order.due_day))


def stab_days(windows: Sequence[Window]) -> list[int]:
    """For each window, the day it ships on: the set of days is as small as possible, and each day is
    as early as the windows sharing it allow."""
    chosen = [0] * len(windows)
    day: int | None = None
    for i in sorted(range(len(windows)), key=lambda i: (windows[i].last, windows[i].first)):
        if day is None or windows[i].first > day:
            day = windows[i].last
        chosen[i] = day
    # Hold no longer than the merge needs: each chosen day moves back to the latest ready day among the
    # windows it serves, which all still contain it.
    earliest: dict[int, int] = {}
    for i, d in enumerate(chosen):
        earliest[d] = max(earliest.get(d, windows[i].first), windows[i].first)
    return [earliest[d] for d in chosen]


def make_parcels(
    orders: Sequence[AllocatedOrder], hold_days: int, fits: Callable[[float, float], bool]
) -> list[Parcel]:
    """Choose each order's shipping day (per region, the fewest days that fit every window), then
    make one parcel of the orders of one customer at one address leaving on the same day, starting a
    new parcel whenever ``fits(weight, volume)`` says no vehicle could carry more."""
    by_region: dict[str, list[AllocatedOrder]] = defaultdict(list)
    for order in orders:
        by_region[order.region].append(order)
    day_of: dict[str, int] = {}
    for group in by_region.values():
        days = stab_days([ship_window(o, hold_days) for o in group])
        day_of.update((o.id, d) for o, d in zip(group, days, strict=True))
    together: dict[tuple[str, tuple[float, float], str, int], list[AllocatedOrder]] = defaultdict(list)
    for order in orders:
        together[order.customer, order.address, order.region, day_of[order.id]].append(order)
    parcels: list[Parcel] = []
    for (customer, address, region, day), group in together.items():
        if len(group) == 1:  # most orders: a parcel of its own
            (one,) = group
            weight, volume = one.weight, one.volume
            parcels.append(Parcel(f"P-{one.id}", (one.id,), customer, address, region, weight, volume, day))
            continue
        # first fit, heaviest first; each open parcel as [members, weight, volume]
        open_parcels: list[tuple[list[AllocatedOrder], list[float]]] = []
        for order in sorted(group, key=lambda o: (-o.weight, o.id)):
            for members, load in open_parcels:
                if fits(load[0] + order.weight, load[1] + order.volume):
                    members.append(order)
                    load[0] += order.weight
                    load[1] += order.volume
                    break
            else:
                open_parcels.append(([order], [order.weight, order.volume]))
        for members, (weight, volume) in open_parcels:
            ids = tuple(o.id for o in members)
            parcels.append(Parcel(f"P-{ids[0]}", ids, customer, address, region, weight, volume, day))
    return parcels
