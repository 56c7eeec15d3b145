"""Benchmark: POST /v1/preorders and the wait-time query over HTTP, one uvicorn worker, SQLite and PostgreSQL.

Starts the real server (``preorder serve``) on a fresh database, loads one product, then drives it
from this process over loopback: an open-loop run at the target rate (500 orders/s) and a closed-loop
run for the saturation throughput. Each open-loop phase follows 2 s of the same load that is not counted
(a server in service is warm); the first reads after a burst of writes still pay for the write-ahead
log's checkpoint, which shows in the wait-time tail.
Prints the figures and writes ``benchmarks/results/intake.json``.

    .venv/bin/python benchmarks/intake_load.py [--seconds 20] [--rate 500] [--databases sqlite postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from catalog_builders import lanes_body, order_body, plan_body, product_body  # noqa: E402
from live_server import live_server  # noqa: E402
from loadgen import run_closed_loop, run_open_loop  # noqa: E402

PG_URL = os.environ.get("PREORDER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def machine() -> dict[str, Any]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "load_average_before": os.getloadavg(),
        "python_loop_10m_s": python_speed(),
    }


def python_speed() -> float:
    """Seconds for a plain Python loop of 10 million additions: how fast this (shared) CPU is right now.

    The same kind of machine measured 1.0 to 1.5 s on one day; figures taken at different speeds
    are not comparable without it.
    """
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return round(time.perf_counter() - started, 3)


def set_up(base: str, admin: str) -> tuple[str, str]:
    sku = f"BENCH-{secrets.token_hex(3).upper()}"
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {admin}"}) as http:
        http.put("/v1/lanes", json=lanes_body("DC-B")).raise_for_status()
        http.put(f"/v1/products/{sku}", json=product_body(cap=None, facility="DC-B")).raise_for_status()
        plan = plan_body(
            ("R-1", 10_000_000, "2027-02-01", 3), beyond={"lead_time_days": 30, "spread_days": 5}
        )
        http.put(f"/v1/products/{sku}/supply-plan", json=plan).raise_for_status()
        key = http.post("/v1/accounts/bench/keys", json={"scopes": ["orders:write", "orders:read"]}).json()[
            "key"
        ]
    return sku, key


async def drive(base: str, sku: str, key: str, rate: float, seconds: float) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {key}"}
    body = json.dumps(order_body(sku, customer="bench")).encode()
    wait_url = f"{base}/v1/products/{sku}/wait-time?country=US&region=CA"
    # Each phase follows 2 s of the same load, not counted: a server in service is warm.
    await run_open_loop("POST", f"{base}/v1/preorders", rate=rate, seconds=2, headers=auth, body=body)
    place = await run_open_loop(
        "POST", f"{base}/v1/preorders", rate=rate, seconds=seconds, headers=auth, body=body
    )
    await run_open_loop("GET", wait_url, rate=rate, seconds=2, headers=auth)
    wait = await run_open_loop("GET", wait_url, rate=rate, seconds=seconds, headers=auth)
    saturation = await run_closed_loop(
        "POST", f"{base}/v1/preorders", clients=16, seconds=seconds / 2, headers=auth, body=body
    )
    return {
        "place_open_loop": place.summary(),
        "wait_time_open_loop": wait.summary(),
        "place_saturation_16_clients": saturation.summary(),
    }


def run(database: str, rate: float, seconds: float) -> dict[str, Any]:
    from engine.persistence.migrate import upgrade

    cleanup = None
    if database == "sqlite":
        folder = tempfile.mkdtemp(prefix="preorder-bench-")
        url = f"sqlite:///{folder}/bench.sqlite3"
    else:
        sys.path.insert(0, str(ROOT / "tests"))
        from databases import drop_postgres_database, fresh_postgres_database

        url = fresh_postgres_database(PG_URL)
        cleanup = lambda: drop_postgres_database(PG_URL, url)  # noqa: E731
    upgrade(url)
    admin = f"bench-admin-{secrets.token_urlsafe(24)}"
    try:
        with live_server({"PREORDER_DATABASE_URL": url, "PREORDER_BOOTSTRAP_ADMIN_KEY": admin}) as base:
            sku, key = set_up(base, admin)
            return asyncio.run(drive(base, sku, key, rate, seconds))
    finally:
        if cleanup:
            cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument(
        "--databases", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"]
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "intake.json")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "machine": machine(),
        "rate_per_s": args.rate,
        "seconds": args.seconds,
        "workers": 1,
        "results": {},
    }
    for database in args.databases:
        figures = run(database, args.rate, args.seconds)
        report["results"][database] = figures
        for name, summary in figures.items():
            print(
                f"{database:9} {name:28} {summary['throughput_per_s']:8.1f}/s"
                f"  ok {summary['ok_per_s']:8.1f}/s  p50 {summary['p50_ms']:6.2f} ms"
                f"  p95 {summary['p95_ms']:6.2f} ms  p99 {summary['p99_ms']:6.2f} ms"
                f"  statuses {summary['statuses']}"
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
