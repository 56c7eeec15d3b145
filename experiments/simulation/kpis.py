"""The KPIs of issue 6, computed from a ledger and the engine's shipments.

Definitions (rates are fractions in [0, 1]):

- ``orders`` / ``units``: accepted orders and their units, customer cancellations excluded.
- ``preorder_share_of_sales``: units that had to wait for supply / all units sold.
The promise an order *holds* is the one made when it was placed or, if its customer paused it, the
one made when it last resumed (a paused order has no live promise, and the wait a customer asked for
is no error of the promise). Re-promises the engine made later never replace it, except as below.

- ``on_time_rate``: delivered orders delivered inside the window of the promise they hold, or earlier
  than that window but inside a window the engine moved earlier, and told the customer, before the
  order shipped. A delivery after the held window's last day is always late: a promise moved later
  (a slip) excuses nothing.
- ``on_time_rate_placement_promise`` (extra): inside the window promised at placement,
  whatever happened after (pauses and good-news re-promises count against it too).
- ``on_time_rate_current_promise`` (extra): inside the window in force when the order
  shipped, i.e. after every re-promise (slips included). Under ``naive_promise`` the customer never
  sees the engine's promises, so there it is the held promise.
- ``wait_time_mape``: mean of |actual − promised availability| / promised wait, for the promise each
  order holds (wait counted from the day it was made), over shipped orders promised a wait of at
  least one day (orders served from the shelf have no wait to miss). Actual availability is the
  day the order's units were allocated and it shipped.
- ``fill_rate``: units shipped / units demanded (accepted or refused, customer cancellations excluded).
- ``revenue``: price × units of the orders sold (the price each order was confirmed at).
- ``logistics_cost_per_unit``: cost of every dispatched shipment / units shipped.
- ``cancellation_rate``: cancelled orders / all accepted orders.
- ``p99_decision_ms``: 99th percentile of the engine's time to confirm or refuse one order (its
  transaction; the simulator reads the placed order itself, so the order's API view is not built).
- ``wall_seconds``: wall time of the simulated run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from experiments.simulation.ledger import NOT_YET, Ledger

KPI_NAMES = (
    "orders",
    "units",
    "preorder_share_of_sales",
    "on_time_rate",
    "on_time_rate_placement_promise",
    "on_time_rate_current_promise",
    "wait_time_mape",
    "fill_rate",
    "revenue",
    "logistics_cost_per_unit",
    "cancellation_rate",
    "p99_decision_ms",
    "wall_seconds",
)
WALL_CLOCK_KPIS = frozenset({"p99_decision_ms", "wall_seconds"})
# Which way is better, for the comparison table: +1 higher is better, -1 lower is better.
DIRECTION = {
    "orders": 1,
    "units": 1,
    "preorder_share_of_sales": 1,
    "on_time_rate": 1,
    "on_time_rate_placement_promise": 1,
    "on_time_rate_current_promise": 1,
    "wait_time_mape": -1,
    "fill_rate": 1,
    "revenue": 1,
    "logistics_cost_per_unit": -1,
    "cancellation_rate": -1,
    "p99_decision_ms": -1,
    "wall_seconds": -1,
}


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else 0.0


def _held_promises(ledger: Ledger) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per order: the day its held promise was made, its availability, window earliest and latest."""
    made = np.array(ledger.placed_day, dtype=np.int64)
    availability = np.array(ledger.promised_day, dtype=np.int64)
    earliest = np.array(ledger.window_earliest, dtype=np.int64)
    latest = np.array(ledger.window_latest, dtype=np.int64)
    if ledger.resumed:
        rows = np.fromiter(ledger.resumed, dtype=np.int64, count=len(ledger.resumed))
        values = np.array(list(ledger.resumed.values()), dtype=np.int64)
        made[rows], availability[rows], earliest[rows], latest[rows] = values.T
    return made, availability, earliest, latest


def compute_kpis(ledger: Ledger, *, shipment_costs: Sequence[float], wall_seconds: float) -> dict[str, float]:
    """Every KPI in :data:`KPI_NAMES` for one run."""
    units = np.asarray(ledger.units, dtype=np.int64)
    cancelled = np.asarray(ledger.cancelled, dtype=bool)
    sold = ~cancelled
    from_stock = np.asarray(ledger.from_stock, dtype=bool)
    price = np.asarray(ledger.price, dtype=float)
    shipped_day = np.asarray(ledger.shipped_day, dtype=np.int64)
    delivered_day = np.asarray(ledger.delivered_day, dtype=np.int64)
    made, promised, earliest, latest = _held_promises(ledger)

    units_sold = int(units[sold].sum())
    shipped = shipped_day != NOT_YET
    units_shipped = int(units[shipped].sum())
    delivered = delivered_day != NOT_YET
    placement = (delivered_day >= np.asarray(ledger.window_earliest)) & (
        delivered_day <= np.asarray(ledger.window_latest)
    )
    current_e, current_l = earliest.copy(), latest.copy()
    for row, (first, last) in ledger.last_window.items():
        current_e[row], current_l[row] = first, last
    inside_current = (delivered_day >= current_e) & (delivered_day <= current_l)
    moved_earlier_and_kept = inside_current & (current_l <= latest)
    on_time = ((delivered_day >= earliest) & (delivered_day <= latest)) | moved_earlier_and_kept
    waits = promised - made
    measured = shipped & (waits >= 1)
    errors = np.abs(shipped_day - promised)[measured] / waits[measured]
    demanded = ledger.units_demanded - int(units[cancelled].sum())
    decisions = np.asarray(ledger.decision_seconds, dtype=float)
    count = float(delivered.sum())
    return {
        "orders": float(sold.sum()),
        "units": float(units_sold),
        "preorder_share_of_sales": _ratio(float(units[sold & ~from_stock].sum()), units_sold),
        "on_time_rate": _ratio(float((on_time & delivered).sum()), count),
        "on_time_rate_placement_promise": _ratio(float((placement & delivered).sum()), count),
        "on_time_rate_current_promise": _ratio(float((inside_current & delivered).sum()), count),
        "wait_time_mape": float(errors.mean()) if len(errors) else 0.0,
        "fill_rate": _ratio(units_shipped, demanded),
        "revenue": round(float((price * units)[sold].sum()), 2),
        "logistics_cost_per_unit": _ratio(float(sum(shipment_costs)), units_shipped),
        "cancellation_rate": _ratio(float(cancelled.sum()), float(len(cancelled))),
        "p99_decision_ms": float(np.percentile(decisions, 99) * 1000) if len(decisions) else 0.0,
        "wall_seconds": wall_seconds,
    }


def never_shipped(ledger: Ledger) -> int:
    """Orders sold (not cancelled) that had not shipped when the run ended."""
    shipped = np.asarray(ledger.shipped_day, dtype=np.int64) != NOT_YET
    return int((~np.asarray(ledger.cancelled, dtype=bool) & ~shipped).sum())


def differences(policy: dict[str, float], baseline: dict[str, float]) -> dict[str, float]:
    """Policy minus baseline for every KPI both have."""
    return {name: policy[name] - baseline[name] for name in KPI_NAMES if name in policy and name in baseline}
