"""Vehicle-routing instances and readers for the Solomon (VRPTW) and CVRPLIB/TSPLIB (CVRP) formats.

Node 0 of every instance is the depot; nodes 1..n are customers. ``labels`` keeps the customer numbers
the source file uses, so that routes can be written back in the file's own terms.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

DistanceKind = Literal["euclidean", "nint"]


class InstanceFormatError(ValueError):
    """The file is not a well-formed instance of the format it was read as."""


@dataclass(frozen=True)
class VrpInstance:
    """A capacitated routing instance, with optional time windows and service times.

    ``distance_kind`` says how arc lengths are measured: ``euclidean`` in double precision (Solomon)
    or ``nint``, Euclidean rounded to the nearest integer (TSPLIB EUC_2D). Travel time equals distance.
    """

    name: str
    x: tuple[float, ...]
    y: tuple[float, ...]
    demand: tuple[int, ...]
    capacity: int
    vehicles: int
    labels: tuple[int, ...]
    distance_kind: DistanceKind = "euclidean"
    ready: tuple[float, ...] | None = None
    due: tuple[float, ...] | None = None
    service: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        n = len(self.x)
        sizes = {len(self.y), len(self.demand), len(self.labels)}
        sizes |= {len(v) for v in (self.ready, self.due, self.service) if v is not None}
        if sizes != {n} or n < 1:
            raise InstanceFormatError(f"{self.name}: node fields have inconsistent lengths")
        if (self.ready is None) != (self.due is None) or (self.ready is None) != (self.service is None):
            raise InstanceFormatError(f"{self.name}: ready, due and service come together or not at all")
        if self.capacity <= 0 or self.vehicles <= 0:
            raise InstanceFormatError(f"{self.name}: capacity and vehicle count must be positive")

    @property
    def size(self) -> int:
        """Number of nodes, depot included."""
        return len(self.x)

    @property
    def has_time_windows(self) -> bool:
        return self.ready is not None

    def distance(self, i: int, j: int) -> float:
        """Length of arc (i, j) under this instance's distance convention."""
        d = math.hypot(self.x[i] - self.x[j], self.y[i] - self.y[j])
        return float(math.floor(d + 0.5)) if self.distance_kind == "nint" else d

    def distance_matrix(self) -> npt.NDArray[np.float64]:
        """All arc lengths, ``matrix[i, j] == distance(i, j)``."""
        xs = np.asarray(self.x, dtype=np.float64)
        ys = np.asarray(self.y, dtype=np.float64)
        d = np.hypot(xs[:, None] - xs[None, :], ys[:, None] - ys[None, :])
        return np.floor(d + 0.5) if self.distance_kind == "nint" else d


def read_instance(path: Path, fmt: Literal["solomon", "cvrplib"]) -> VrpInstance:
    """Read ``path`` as ``fmt``; raises ``OSError`` or ``InstanceFormatError``."""
    text = Path(path).read_text()
    return parse_solomon(text) if fmt == "solomon" else parse_cvrplib(text)


def parse_solomon(text: str) -> VrpInstance:
    """Parse the Solomon text format: name, VEHICLE NUMBER/CAPACITY, then one row per customer."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise InstanceFormatError("empty Solomon file")
    name = lines[0]
    numeric = [ln.split() for ln in lines[1:] if re.fullmatch(r"[-\d.\s]+", ln)]
    if not numeric or len(numeric[0]) != 2:
        raise InstanceFormatError(f"{name}: no 'NUMBER CAPACITY' row under VEHICLE")
    vehicles, capacity = (int(v) for v in numeric[0])
    rows = numeric[1:]
    if len(rows) < 2 or any(len(r) != 7 for r in rows):
        raise InstanceFormatError(f"{name}: customer rows must have 7 columns")
    try:
        table = [[float(v) for v in r] for r in rows]
    except ValueError as exc:
        raise InstanceFormatError(f"{name}: {exc}") from exc
    if int(table[0][0]) != 0:
        raise InstanceFormatError(f"{name}: the first customer row must be the depot, number 0")
    return VrpInstance(
        name=name,
        labels=tuple(int(r[0]) for r in table),
        x=tuple(r[1] for r in table),
        y=tuple(r[2] for r in table),
        demand=tuple(int(r[3]) for r in table),
        ready=tuple(r[4] for r in table),
        due=tuple(r[5] for r in table),
        service=tuple(r[6] for r in table),
        capacity=capacity,
        vehicles=vehicles,
        distance_kind="euclidean",
    )


def parse_cvrplib(text: str) -> VrpInstance:
    """Parse a TSPLIB-style CVRP file with EUC_2D coordinates.

    CVRPLIB leaves the fleet unbounded; ``vehicles`` is the truck count the file names (``-kN`` or
    ``No of trucks: N``) plus two spares, or one per customer when no count is given.
    Customer labels follow the ``.sol`` convention: 1..n-1 in file order, the depot excluded.
    """
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if re.match(r"^[A-Z_]+\s*:", line):
            key, _, value = line.partition(":")
            header[key.strip().upper()] = value.strip()
            current = None
        elif re.fullmatch(r"[A-Z_]+", line):
            current = line
            sections[current] = []
        elif current is not None:
            sections[current].append(line.split())
    name = header.get("NAME", "cvrp")
    if header.get("EDGE_WEIGHT_TYPE", "EUC_2D") != "EUC_2D":
        raise InstanceFormatError(f"{name}: only EUC_2D distances are supported")
    try:
        capacity = int(header["CAPACITY"])
        coords = {int(r[0]): (float(r[1]), float(r[2])) for r in sections["NODE_COORD_SECTION"]}
        demands = {int(r[0]): int(r[1]) for r in sections["DEMAND_SECTION"]}
        depots = [int(r[0]) for r in sections.get("DEPOT_SECTION", [["1"]]) if int(r[0]) >= 0]
    except (KeyError, ValueError, IndexError) as exc:
        raise InstanceFormatError(f"{name}: missing or malformed field {exc}") from exc
    if len(depots) != 1 or set(coords) != set(demands) or depots[0] not in coords:
        raise InstanceFormatError(f"{name}: need one depot and a demand for every node")
    order = [depots[0]] + [i for i in sorted(coords) if i != depots[0]]
    trucks = re.search(r"-k(\d+)", name) or re.search(r"trucks:\s*(\d+)", header.get("COMMENT", ""))
    vehicles = int(trucks.group(1)) + 2 if trucks else len(order) - 1
    return VrpInstance(
        name=name,
        labels=tuple(range(len(order))),
        x=tuple(coords[i][0] for i in order),
        y=tuple(coords[i][1] for i in order),
        demand=tuple(demands[i] for i in order),
        capacity=capacity,
        vehicles=max(vehicles, 1),
        distance_kind="nint",
    )
