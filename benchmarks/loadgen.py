"""A small open-loop HTTP/1.1 load generator on asyncio streams (cheap enough to share 2 cores).

Requests start on a fixed schedule (``rate`` per second) whatever the server does, and latency is
measured from the scheduled start, so a slow server cannot hide its queueing (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import gc
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import numpy as np


@dataclass
class LoadResult:
    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, float | int | dict[str, int]]:
        lat = np.array(self.latencies_ms) if self.latencies_ms else np.array([float("nan")])
        ok = sum(n for status, n in self.statuses.items() if status < 400)
        return {
            "requests": self.sent,
            "seconds": round(self.seconds, 2),
            "throughput_per_s": round(self.sent / self.seconds, 1) if self.seconds else 0.0,
            "ok_per_s": round(ok / self.seconds, 1) if self.seconds else 0.0,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "p50_ms": round(float(np.percentile(lat, 50)), 2),
            "p95_ms": round(float(np.percentile(lat, 95)), 2),
            "p99_ms": round(float(np.percentile(lat, 99)), 2),
            "max_ms": round(float(np.max(lat)), 2),
        }


def _request(method: str, url: str, body: bytes | None, headers: dict[str, str]) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {path} HTTP/1.1", f"Host: {parts.hostname}:{parts.port}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")
    return parts.hostname or "127.0.0.1", parts.port or 80, raw


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def run_open_loop(
    method: str,
    url: str,
    *,
    rate: float,
    seconds: float,
    headers: dict[str, str],
    body: bytes | None = None,
    connections: int = 64,
) -> LoadResult:
    """Send ``rate`` requests per second for ``seconds`` over up to ``connections`` keep-alive sockets."""
    host, port, raw = _request(method, url, body, headers)
    result = LoadResult()
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await asyncio.open_connection(host, port))
    total = int(rate * seconds)
    start = time.perf_counter()

    async def one(scheduled: float) -> None:
        reader, writer = await pool.get()
        try:
            writer.write(raw)
            status = await _read_response(reader)
        finally:
            pool.put_nowait((reader, writer))
        result.latencies_ms.append((time.perf_counter() - scheduled) * 1000)
        result.statuses[status] = result.statuses.get(status, 0) + 1

    # Requests start from one scheduling loop (not thousands of sleeping tasks), and the generator's own
    # garbage collector is off while it measures: its pauses would otherwise count as server latency.
    gc.collect()
    gc.disable()
    try:
        running = set()
        for index in range(total):
            scheduled = start + index / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(one(scheduled))
            running.add(task)
            task.add_done_callback(running.discard)
        await asyncio.gather(*running)
    finally:
        gc.enable()
    result.seconds = time.perf_counter() - start
    result.sent = total
    while not pool.empty():
        _, writer = pool.get_nowait()
        writer.close()
    return result


async def run_closed_loop(
    method: str, url: str, *, clients: int, seconds: float, headers: dict[str, str], body: bytes | None = None
) -> LoadResult:
    """``clients`` connections each sending back-to-back for ``seconds``: the saturation throughput."""
    host, port, raw = _request(method, url, body, headers)
    result = LoadResult()
    stop = time.perf_counter() + seconds
    start = time.perf_counter()

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        while time.perf_counter() < stop:
            began = time.perf_counter()
            writer.write(raw)
            status = await _read_response(reader)
            result.latencies_ms.append((time.perf_counter() - began) * 1000)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            result.sent += 1
        writer.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    result.seconds = time.perf_counter() - start
    return result
