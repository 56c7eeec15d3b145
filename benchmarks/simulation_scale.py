"""Benchmark: the strategy simulator at 100k and 1M pre-orders over 1,000 SKUs and 365 days, with
the agents in-process and as Ray actors. Prints figures and writes
``benchmarks/results/simulation_scale.json``.

The launch scenario is rescaled (``--orders``, 1,000 SKUs, 365 days). Customer pauses, resumes and
cancellations are switched off by default (``--with-customers`` keeps them): each one re-promises the
whole SKU line in the engine, whose in-memory snapshot is rebuilt from every order the SKU ever had, so
at this scale they alone would take far longer than the target (see the report for the engine change).

    .venv/bin/python benchmarks/simulation_scale.py [--orders 100000 1000000] [--runtimes inprocess ray]
        [--shards 1 2]

With ``--shards 2`` the products are split into two seasons with one logistics agent for both
(``experiments/simulation/shards.py``): in process one runs after the other; on Ray each is an actor
(its allocation and pricing agents beside its engine) and the logistics agent an actor of its own. The
KPIs of a split season differ a little from the whole one's (each shard has its own random streams):
both are shown.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from intake_load import machine as machine_facts  # noqa: E402

from experiments.simulation.calibration import rescale_to_orders  # noqa: E402
from experiments.simulation.runner import run_policy  # noqa: E402
from experiments.simulation.scenario import CustomersIn, Scenario, load_scenario  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "simulation_scale.json"


def season(orders: int, *, skus: int, days: int, customers: bool) -> tuple[Scenario, float]:
    """The launch scenario sized for about ``orders`` placed orders, and the seconds that took."""
    scenario = load_scenario(ROOT / "experiments/scenarios/console_launch.yaml")
    if not customers:
        scenario = scenario.model_copy(
            update={"customers": CustomersIn(pause_rate_per_day=0, cancel_rate_per_day=0)}
        )
    calibrating = time.perf_counter()
    scenario = rescale_to_orders(scenario, orders, skus=skus, days=days)
    return scenario, time.perf_counter() - calibrating


def one_run(
    scenario: Scenario, orders: int, runtime: str, *, shards: int, customers: bool, profile: bool
) -> dict[str, Any]:
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    result = run_policy(scenario, runtime=runtime, shards=shards)
    if profiler:
        profiler.disable()
    total = time.perf_counter() - started
    kpis = result.kpis
    row: dict[str, Any] = {
        "requested_orders": orders,
        "runtime": runtime,
        "shards": shards,
        "skus": len(scenario.products),
        "days": scenario.horizon_days,
        "customers_pause_cancel": customers,
        "orders": int(kpis["orders"]),
        "wall_seconds": round(total, 2),
        "simulated_wall_seconds": round(kpis["wall_seconds"], 2),
        "orders_per_second": round(kpis["orders"] / kpis["wall_seconds"], 1),
        "p99_decision_ms": round(kpis["p99_decision_ms"], 3),
        "logistics_cost_per_unit": round(kpis["logistics_cost_per_unit"], 3),
        "on_time_rate": round(kpis["on_time_rate"], 4),
        "wait_time_mape": round(kpis["wait_time_mape"], 4),
    }
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
        row["profile_top"] = out.getvalue().splitlines()[:40]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runtimes", nargs="+", default=["inprocess", "ray"], choices=["inprocess", "ray"])
    parser.add_argument(
        "--shards", type=int, nargs="+", default=[1, 2], help="split the season into this many shards"
    )
    parser.add_argument("--skus", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--with-customers", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile each run; top functions in the JSON")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    machine = machine_facts()  # before the runs: the loop speed says how fast this CPU is today
    print(f"python loop of 10M additions: {machine['python_loop_10m_s']} s", flush=True)
    rows = []
    calibration = {}
    for orders in args.orders:
        scenario, seconds = season(orders, skus=args.skus, days=args.days, customers=args.with_customers)
        calibration[str(orders)] = round(seconds, 2)
        for shards in args.shards:
            for runtime in args.runtimes:
                row = one_run(
                    scenario,
                    orders,
                    runtime,
                    shards=shards,
                    customers=args.with_customers,
                    profile=args.profile,
                )
                rows.append(row)
                print(
                    f"{orders:>9,} requested  {runtime:<9} {shards} shard(s)  {row['orders']:>9,} orders  "
                    f"{row['simulated_wall_seconds']:>7.1f} s (all in {row['wall_seconds']:.1f} s)  "
                    f"{row['orders_per_second']:>7,.0f} orders/s  p99 {row['p99_decision_ms']:.3f} ms  "
                    f"on-time {row['on_time_rate']:.3f}  MAPE {row['wait_time_mape']:.3f}  "
                    f"cost/unit {row['logistics_cost_per_unit']:.3f}",
                    flush=True,
                )
    overhead = {}
    for orders in args.orders:
        for shards in args.shards:
            by = {r["runtime"]: r for r in rows if r["requested_orders"] == orders and r["shards"] == shards}
            if "inprocess" in by and "ray" in by:
                base = by["inprocess"]["simulated_wall_seconds"]
                key = f"{orders}/{shards}"
                overhead[key] = round(100 * (by["ray"]["simulated_wall_seconds"] - base) / base, 1)
                print(f"{orders:>9,}, {shards} shard(s): Ray {overhead[key]:+.1f}% of in-process wall time")
    result = {
        "benchmark": "simulation_scale",
        "machine": machine,
        "targets": {"1M_wall_seconds_on_ray": 120, "ray_overhead_percent_at_1M": 30},
        "calibration_seconds": calibration,
        "runs": rows,
        "ray_overhead_percent": overhead,  # "orders/shards" -> percent
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
