"""Solomon VRPTW benchmark: the routing optimizer against the best known values.

    .venv/bin/python benchmarks/routing_solomon.py                 # 6 instances x 2 objectives x 30 s
    .venv/bin/python benchmarks/routing_solomon.py --all --time-limit 10   # all 56, distance objective

Prints one line per run and writes ``benchmarks/results/routing_solomon[_all].json``. Gaps are
against ../shared/data/README.md: ``distance`` vs the shortest known distance (CVRPLIB),
``vehicles-then-distance`` vs SINTEF's fewest vehicles, then distance where the vehicle count matches.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from optimizers.routing import RoutingParams, solve_routing
from optimizers.routing_baseline import route_nearest_neighbour
from optimizers.routing_model import Objective
from optimizers.vrp_formats import read_instance

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "data"  # the canonical copy; tests/reference_data is the same files
DATA = (SHARED if SHARED.is_dir() else ROOT / "tests" / "reference_data") / "solomon"
RESULTS = ROOT / "benchmarks" / "results"

# (vehicles, distance) from ../shared/data/README.md
SHORTEST = {
    "C101": (10, 828.94), "C201": (3, 591.56), "R101": (20, 1642.88),
    "R201": (8, 1147.82), "RC101": (15, 1623.56), "RC201": (9, 1265.56),
}  # fmt: skip
FEWEST = {
    "C101": (10, 828.94), "C201": (3, 591.56), "R101": (19, 1650.80),
    "R201": (4, 1252.37), "RC101": (14, 1696.95), "RC201": (4, 1406.94),
}  # fmt: skip


def run(name: str, objective: Objective, time_limit: float, workers: int, seed: int) -> dict[str, Any]:
    instance = read_instance(DATA / f"{name}.txt", "solomon")
    result = solve_routing(
        instance, RoutingParams(objective=objective, time_limit_s=time_limit, workers=workers, seed=seed)
    )
    greedy = route_nearest_neighbour(instance, objective)
    row: dict[str, Any] = {
        "instance": name,
        "objective": objective,
        "vehicles": result.vehicles,
        "distance": round(result.distance, 2),
        "feasible": result.feasible,
        "status": result.status,
        "seconds": round(result.solve_seconds, 2),
        "winner": result.strategy,
        "baseline_vehicles": greedy.vehicles,
        "baseline_distance": round(greedy.distance, 2),
        "baseline_feasible": greedy.feasible,
    }
    reference = (SHORTEST if objective == "distance" else FEWEST).get(name)
    if reference is not None:
        ref_vehicles, ref_distance = reference
        row["best_known"] = {"vehicles": ref_vehicles, "distance": ref_distance}
        row["gap_pct"] = round(100 * (result.distance / ref_distance - 1), 2)
        row["extra_vehicles"] = result.vehicles - ref_vehicles
    return row


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for objective in ("distance", "vehicles-then-distance"):
        mine = [r for r in rows if r["objective"] == objective]
        if not mine:
            continue
        gaps = [r["gap_pct"] for r in mine if "gap_pct" in r]
        same_fleet = [r["gap_pct"] for r in mine if r.get("extra_vehicles") == 0]
        summary[objective] = {
            "runs": len(mine),
            "all_feasible": all(r["feasible"] for r in mine),
            "mean_gap_pct": round(statistics.mean(gaps), 2) if gaps else None,
            "max_gap_pct": max(gaps) if gaps else None,
            "max_extra_vehicles": max(
                (r["extra_vehicles"] for r in mine if "extra_vehicles" in r), default=None
            ),
            "max_gap_pct_where_vehicles_match": max(same_fleet) if same_fleet else None,
            "mean_seconds": round(statistics.mean(r["seconds"] for r in mine), 2),
            "total_vehicles": sum(r["vehicles"] for r in mine),
            "total_distance": round(sum(r["distance"] for r in mine), 2),
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="all 56 instances, distance objective only")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.all:
        names = sorted(p.stem for p in DATA.glob("*.txt"))
        objectives: tuple[Objective, ...] = ("distance",)
    else:
        names = list(SHORTEST)
        objectives = ("distance", "vehicles-then-distance")
    rows = []
    started = time.monotonic()
    for objective in objectives:
        for name in names:
            row = run(name, objective, args.time_limit, args.workers, args.seed)
            rows.append(row)
            gap = f"gap {row['gap_pct']:+.2f}% ({row['extra_vehicles']:+d} veh)" if "gap_pct" in row else ""
            print(
                f"{name:6} {objective:22} {row['vehicles']:3d} veh {row['distance']:9.2f} "
                f"feasible={row['feasible']} {row['seconds']:5.1f}s {gap}  "
                f"[greedy {row['baseline_vehicles']} veh {row['baseline_distance']:.2f}"
                f"{'' if row['baseline_feasible'] else ' INFEASIBLE'}]",
                flush=True,
            )
    report = {
        "benchmark": "routing_solomon_all" if args.all else "routing_solomon",
        "time_limit_s": args.time_limit,
        "workers": args.workers,
        "seed": args.seed,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load_avg": os.getloadavg()},
        "wall_seconds": round(time.monotonic() - started, 1),
        "summary": summarise(rows),
        "runs": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{report['benchmark']}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["summary"], indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
