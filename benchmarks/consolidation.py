"""Consolidation benchmark: 10,000 allocated orders over 50 regions and 14 ready dates.

    .venv/bin/python benchmarks/consolidation.py [--orders 10000 --time-limit 30]

Prints the plan's cost against the naive plan (one parcel, one trip per order), the greedy baseline
(no holding, first-fit decreasing) and the lower bound, and writes
``benchmarks/results/consolidation.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from optimizers.consolidation import consolidate, consolidate_greedy
from optimizers.consolidation_scenarios import synthetic_problem
from optimizers.consolidation_types import ConsolidationParams, ConsolidationPlan

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"


def figures(plan: ConsolidationPlan, seconds: float) -> dict[str, float | int | str]:
    return {
        "status": plan.status,
        "shipments": len(plan.shipments),
        "parcels": len(plan.parcels),
        "unplaceable": len(plan.unplaceable),
        "cost": round(plan.cost, 2),
        "naive_cost": round(plan.naive_cost, 2),
        "saving_vs_naive_pct": round(100 * (1 - plan.cost / plan.naive_cost), 2),
        "lower_bound": round(plan.lower_bound, 2),
        "gap_to_bound_pct": round(100 * (plan.cost / plan.lower_bound - 1), 2),
        "groups": plan.groups,
        "groups_proven_optimal": plan.groups_proven_optimal,
        "seconds": round(seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--regions", type=int, default=50)
    parser.add_argument("--ready-days", type=int, default=14)
    parser.add_argument("--hold-days", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    problem = synthetic_problem(
        orders=args.orders, regions=args.regions, ready_days=args.ready_days, seed=args.seed,
        max_hold_days=args.hold_days,
    )  # fmt: skip
    started = time.monotonic()
    plan = consolidate(problem, ConsolidationParams(time_limit_s=args.time_limit, seed=args.seed))
    optimized = figures(plan, time.monotonic() - started)
    started = time.monotonic()
    greedy = figures(consolidate_greedy(problem), time.monotonic() - started)
    for label, row in (("optimized", optimized), ("greedy", greedy)):
        print(
            f"{label:9} {args.orders} orders -> {row['parcels']} parcels, {row['shipments']} shipments, "
            f"{row['unplaceable']} unplaceable; cost {row['cost']:.0f} vs naive {row['naive_cost']:.0f} "
            f"({row['saving_vs_naive_pct']:.1f}% saved), bound {row['lower_bound']:.0f} "
            f"(+{row['gap_to_bound_pct']:.1f}%), {row['groups_proven_optimal']}/{row['groups']} packings "
            f"proven optimal, {row['seconds']:.1f}s",
            flush=True,
        )
    report = {
        "benchmark": "consolidation",
        "orders": args.orders,
        "regions": args.regions,
        "ready_days": args.ready_days,
        "hold_days": args.hold_days,
        "time_limit_s": args.time_limit,
        "seed": args.seed,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load_avg": os.getloadavg()},
        "optimized": optimized,
        "greedy_baseline": greedy,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "consolidation.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
