"""CVRP benchmark: Augerat A-n32-k5, A-n45-k6, A-n80-k10 against their proven optima.

    .venv/bin/python benchmarks/routing_cvrp.py [--time-limit 30]

Prints one line per instance and writes ``benchmarks/results/routing_cvrp.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
from pathlib import Path
from typing import Any

from optimizers.routing import RoutingParams, solve_routing
from optimizers.routing_baseline import route_nearest_neighbour
from optimizers.vrp_formats import read_instance

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "data"  # the canonical copy; tests/reference_data is the same files
DATA = (SHARED if SHARED.is_dir() else ROOT / "tests" / "reference_data") / "cvrp"
RESULTS = ROOT / "benchmarks" / "results"
OPTIMUM = {"A-n32-k5": 784, "A-n45-k6": 944, "A-n80-k10": 1763}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = []
    for name, optimum in OPTIMUM.items():
        instance = read_instance(DATA / f"{name}.vrp", "cvrplib")
        params = RoutingParams(time_limit_s=args.time_limit, workers=args.workers, seed=args.seed)
        result = solve_routing(instance, params)
        greedy = route_nearest_neighbour(instance)
        row: dict[str, Any] = {
            "instance": name,
            "vehicles": result.vehicles,
            "distance": result.distance,
            "optimum": optimum,
            "gap_pct": round(100 * (result.distance / optimum - 1), 2),
            "feasible": result.feasible,
            "seconds": round(result.solve_seconds, 2),
            "baseline_distance": greedy.distance,
            "baseline_feasible": greedy.feasible,
            "baseline_gap_pct": round(100 * (greedy.distance / optimum - 1), 2),
        }
        rows.append(row)
        print(
            f"{name:10} {row['vehicles']:3d} veh {row['distance']:7.0f} (optimum {optimum}) "
            f"gap {row['gap_pct']:+.2f}% feasible={row['feasible']} {row['seconds']:.1f}s "
            f"[greedy {greedy.distance:.0f}, {row['baseline_gap_pct']:+.1f}%]",
            flush=True,
        )
    report = {
        "benchmark": "routing_cvrp",
        "time_limit_s": args.time_limit,
        "workers": args.workers,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load_avg": os.getloadavg()},
        "summary": {
            "mean_gap_pct": round(statistics.mean(r["gap_pct"] for r in rows), 2),
            "max_gap_pct": max(r["gap_pct"] for r in rows),
            "all_feasible": all(r["feasible"] for r in rows),
        },
        "runs": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "routing_cvrp.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["summary"]))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
