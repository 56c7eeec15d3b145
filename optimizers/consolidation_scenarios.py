"""Seeded synthetic consolidation problems for benchmarks and tests: a production run lands and many
pre-orders become ready over a few days, spread over regions around one depot."""

from __future__ import annotations

import numpy as np

from optimizers.consolidation_types import AllocatedOrder, ConsolidationProblem, VehicleType

DEFAULT_FLEET = (
    VehicleType(
        "van", capacity_weight=800.0, capacity_volume=6.0, fixed_cost=40.0, cost_per_distance=0.5, count=400
    ),
    VehicleType(
        "truck",
        capacity_weight=4000.0,
        capacity_volume=30.0,
        fixed_cost=120.0,
        cost_per_distance=1.0,
        count=100,
    ),
)


def synthetic_problem(
    *,
    orders: int,
    regions: int,
    ready_days: int,
    seed: int,
    max_hold_days: int = 2,
    customers_per_region: int = 40,
    fleet: tuple[VehicleType, ...] = DEFAULT_FLEET,
) -> ConsolidationProblem:
    """``orders`` orders over ``regions`` regions (clusters on a 1000×1000 plane, depot at the centre)
    and ``ready_days`` ready dates; each order is due 3–10 days after it is ready. Customers order
    repeatedly, so some orders share an address."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 1000, size=(regions, 2))
    homes = centres[:, None, :] + rng.normal(0, 25, size=(regions, customers_per_region, 2))
    region = rng.integers(0, regions, size=orders)
    customer = rng.integers(0, customers_per_region, size=orders)
    ready = rng.integers(0, ready_days, size=orders)
    slack = rng.integers(3, 11, size=orders)
    units = rng.integers(1, 4, size=orders)
    unit_weight = rng.choice([1.0, 5.0, 20.0, 60.0], size=orders, p=[0.4, 0.3, 0.2, 0.1])
    made = []
    for i in range(orders):
        r, c = int(region[i]), int(customer[i])
        weight = float(units[i] * unit_weight[i])
        made.append(
            AllocatedOrder(
                id=f"o{i}",
                customer=f"r{r}-c{c}",
                address=(round(float(homes[r, c, 0]), 2), round(float(homes[r, c, 1]), 2)),
                region=f"region-{r}",
                sku=f"SKU-{int(rng.integers(0, 20))}",
                units=int(units[i]),
                weight=weight,
                volume=round(weight * 0.004, 4),
                ready_day=int(ready[i]),
                due_day=int(ready[i] + slack[i]),
            )
        )
    return ConsolidationProblem(
        orders=tuple(made), fleet=fleet, depot=(500.0, 500.0), max_hold_days=max_hold_days
    )
