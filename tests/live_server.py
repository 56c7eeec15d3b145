"""Starting the real server (``preorder serve`` under uvicorn) on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

PREORDER = str(Path(sys.executable).parent / "preorder")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def live_server(env: dict[str, str], *args: str, timeout: float = 60.0) -> Iterator[str]:
    """Serve the API with ``env`` added to the environment and extra ``args`` (default: no agents);
    yields its base URL."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="preorder-serve-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [PREORDER, "serve", "--port", str(port), "--log-level", "warning", *(args or ("--agents", "off"))],
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}:\n{Path(log.name).read_text()}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start in time")
            time.sleep(0.1)
        yield base
    finally:
        # what the server logged (tracebacks included) is shown by pytest when a test fails
        sys.stderr.write(Path(log.name).read_text()[-20_000:])
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
