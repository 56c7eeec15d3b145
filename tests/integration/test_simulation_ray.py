"""The simulator with its agents as Ray actors: identical KPIs to in-process, on a local Ray started by
the test and on a separate Ray head reached by its address. Ray is always stopped afterwards."""

from __future__ import annotations

import contextlib
import functools
import gc
import http.server
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import ray

from agents.ray_hosting import ActorGroup, AgentsUnavailable
from experiments.simulation.kpis import WALL_CLOCK_KPIS
from experiments.simulation.runner import run_policy
from experiments.simulation.scenario import Scenario, load_scenario, rescale

SCENARIOS = Path(__file__).resolve().parents[2] / "experiments" / "scenarios"
RAY_CLI = str(Path(sys.executable).with_name("ray"))


def tiny() -> Scenario:
    return rescale(load_scenario(SCENARIOS / "console_launch.yaml"), orders=300, days=60)


def deterministic(kpis: dict[str, float]) -> dict[str, float]:
    return {name: value for name, value in kpis.items() if name not in WALL_CLOCK_KPIS}


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


def test_agents_on_a_local_ray_give_the_same_kpis_as_in_process(local_ray: None) -> None:
    on_ray = run_policy(tiny(), runtime="ray")
    in_process = run_policy(tiny(), runtime="inprocess")
    assert on_ray.kpis["orders"] > 50
    assert deterministic(on_ray.kpis) == deterministic(in_process.kpis)


def test_a_season_split_in_two_shards_gives_the_same_kpis_side_by_side_on_ray_as_one_after_the_other(
    local_ray: None,
) -> None:
    scenario = rescale(load_scenario(SCENARIOS / "console_launch.yaml"), orders=600, skus=6, days=60)
    on_ray = run_policy(scenario, runtime="ray", shards=2)
    in_process = run_policy(scenario, runtime="inprocess", shards=2)
    assert on_ray.kpis["orders"] > 100
    assert deterministic(on_ray.kpis) == deterministic(in_process.kpis)
    assert on_ray.series == in_process.series


def test_a_season_with_agents_on_ray_leaves_no_cyclic_garbage_in_the_driver(local_ray: None) -> None:
    # The cycle collector is paused during a run: a collection after each day finds nothing to free.
    found: list[int] = []
    run_policy(tiny(), runtime="ray", on_day=lambda: found.append(gc.collect()))
    assert len(found) > 50 and sum(found) == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def ray_head() -> Iterator[str]:
    if ray.is_initialized():
        ray.shutdown()
    temp = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))
    port = _free_port()
    env = {**os.environ, "RAY_ADDRESS": ""}
    subprocess.run(
        [
            RAY_CLI,
            "start",
            "--head",
            "--node-ip-address",
            "127.0.0.1",
            "--port",
            str(port),
            "--num-cpus",
            "1",
            "--include-dashboard",
            "false",
            "--temp-dir",
            str(temp),
            "--disable-usage-stats",
        ],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    try:
        yield f"127.0.0.1:{port}"
    finally:
        if ray.is_initialized():
            ray.shutdown()
        # Not ``ray stop``: that stops every Ray on the machine, including other people's.
        _stop_processes_of(str(temp))
        shutil.rmtree(temp, ignore_errors=True)


def _processes_of(marker: str) -> set[int]:
    """The head's processes: those naming its temp dir, and all their descendants."""
    listing = subprocess.run(
        ["ps", "-ww", "-eo", "pid,ppid,args"], capture_output=True, text=True, check=True
    )
    rows = [line.split(None, 2) for line in listing.stdout.splitlines()[1:]]
    children: dict[int, list[int]] = {}
    for row in rows:
        children.setdefault(int(row[1]), []).append(int(row[0]))
    stack = [int(row[0]) for row in rows if len(row) > 2 and marker in row[2]]
    found: set[int] = set()
    while stack:
        pid = stack.pop()
        if pid not in found and pid != os.getpid():
            found.add(pid)
            stack += children.get(pid, [])
    return found


def _stop_processes_of(marker: str) -> None:
    pids = _processes_of(marker)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
            time.sleep(0.2)
        pids = {pid for pid in pids if _alive(pid)}
        if not pids:
            return


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
        return state != "Z"
    return True


def test_a_small_simulation_runs_against_a_separate_ray_head_by_its_address(ray_head: str) -> None:
    on_head = run_policy(tiny(), runtime="ray", ray_address=ray_head)
    assert on_head.kpis["orders"] > 50
    assert deterministic(on_head.kpis) == deterministic(run_policy(tiny()).kpis)


def test_an_actor_groups_answers_go_straight_to_the_next_call_and_failures_are_reported(
    local_ray: None,
) -> None:
    words = ActorGroup([functools.partial(str, "a-b"), functools.partial(str, "c-d")])
    counter = ActorGroup([functools.partial(str, "aaa-c")])
    try:
        pairs = words.submit("split", "-", returns=2)
        assert len(pairs) == 2 and all(len(handles) == 2 for handles in pairs)
        # handles as arguments: the counting actor reads the words, this process never does
        assert counter.call_each("count", [(pairs[0][0],)]) == [3]
        assert counter.call_each("count", [(pairs[1][1],)]) == [0]
        (alone,) = words.submit_each("split", [("x",), ("x",)], returns=1)[:1]
        assert len(alone) == 1 and counter.call_each("count", [(alone[0],)]) == [0]
        words.wait([handle for handles in pairs for handle in handles])
        with pytest.raises(AgentsUnavailable, match="substring not found"):
            words.wait(words.submit("index", "zzz"))
    finally:
        words.close()
        counter.close()


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    preorder = str(Path(sys.executable).with_name("preorder"))
    env = {**os.environ, "RAY_ADDRESS": "", "PREORDER_DATA_DIR": str(data_dir)}
    return subprocess.run([preorder, *args], capture_output=True, text=True, env=env, timeout=120)


# The two commands that join a Ray cluster by its address.
RAY_COMMANDS = pytest.mark.parametrize(
    "command",
    [
        ("simulate", str(SCENARIOS / "console_launch.yaml"), "--runtime", "ray", "--no-tracking"),
        ("serve", "--agents", "ray", "--port", "1"),
    ],
    ids=["simulate", "serve"],
)


@RAY_COMMANDS
def test_a_ray_address_where_no_cluster_listens_is_refused_at_once_in_one_line(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    address = f"127.0.0.1:{_free_port()}"  # bound and released: nothing listens there
    done = run_cli(tmp_path, *command, "--ray-address", address)  # Ray alone would retry past the timeout
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"error: no Ray cluster answers at {address}: Connection refused"


@RAY_COMMANDS
def test_a_ray_address_where_another_service_listens_is_refused_in_one_line(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    """Ray's own client would wait about 40 s before giving up on a web server's port."""
    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    serving = threading.Thread(target=web.serve_forever, daemon=True)
    serving.start()
    try:
        address = f"127.0.0.1:{web.server_address[1]}"
        done = run_cli(tmp_path, *command, "--ray-address", address)
    finally:
        web.shutdown()
        web.server_close()
    assert done.returncode == 2, done.stderr
    assert (
        done.stderr.strip()
        == f"error: what listens at {address} is not a Ray cluster: it does not speak gRPC"
    )
