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

MAX_CUSTOMERS = 2_000
MAX_COORDINATE = 10**6  # either axis, either sign
MAX_TIME = 10**7  # ready, due and service times
MAX_QUANTITY = 10**9  # demands and vehicle capacity

# A Solomon line that starts with a number is data; any other line is header text.
_DATA_LINE = re.compile(r"[-+]?\.?\d")
_SOLOMON_COLUMNS = "number, x, y, demand, ready, due, service"


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
        problem = _out_of_bounds(self)
        if problem is not None:
            raise InstanceFormatError(f"{self.name}: {problem}")

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
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InstanceFormatError(f"not UTF-8 text (byte {exc.start} cannot be decoded)") from exc
    return parse_solomon(text) if fmt == "solomon" else parse_cvrplib(text)


def parse_solomon(text: str) -> VrpInstance:
    """Parse the Solomon text format: name, VEHICLE NUMBER/CAPACITY, then one row per customer.

    After the name, lines that start with a number are data: the first is ``NUMBER CAPACITY``, each
    later one a customer row of seven numbers (scientific notation allowed), the depot first. Header
    text may come before the depot row; after it, every line must be a customer row, and one that is
    not is refused with its line number rather than skipped.
    """
    lines = [(k, ln.strip()) for k, ln in enumerate(text.splitlines(), start=1) if ln.strip()]
    if not lines:
        raise InstanceFormatError("empty Solomon file")
    name = lines[0][1]
    data = [(k, ln) for k, ln in lines[1:] if _DATA_LINE.match(ln)]
    if not data or len(data[0][1].split()) != 2:
        raise InstanceFormatError(f"{name}: no 'NUMBER CAPACITY' row under VEHICLE")
    k, (number, cap) = data[0][0], data[0][1].split()
    vehicles, capacity = _whole(number, "NUMBER", k), _whole(cap, "CAPACITY", k)
    if len(data) < 3:
        raise InstanceFormatError(f"{name}: needs a depot row and at least one customer row")
    depot_line = data[1][0]
    text_after = [(k, ln) for k, ln in lines if k > depot_line and not _DATA_LINE.match(ln)]
    if text_after:
        k, ln = text_after[0]
        raise InstanceFormatError(_not_a_row(k, ln))
    table = [_customer_row(k, ln) for k, ln in data[1:]]
    if table[0][0] != 0:
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


def _customer_row(k: int, line: str) -> tuple[float, ...]:
    values = line.split()
    try:
        row = tuple(float(v) for v in values)
    except ValueError:
        row = ()
    if len(row) != 7:
        raise InstanceFormatError(_not_a_row(k, line))
    # Exact integers, not their float images: 10**19 as a float is not the file's number.
    label, demand = _whole(values[0], "the customer number", k), _whole(values[3], "the demand", k)
    return (label, *row[1:3], demand, *row[4:])


def _not_a_row(k: int, line: str) -> str:
    shown = line if len(line) <= 60 else line[:57] + "..."
    return f"line {k}: a customer row is 7 numbers ({_SOLOMON_COLUMNS}), not {shown!r}"


def _whole(token: str, what: str, k: int) -> int:
    try:
        value = float(token)
        if value.is_integer():
            return int(token) if token.lstrip("+-").isdigit() else int(value)
    except (ValueError, OverflowError):
        pass
    shown = token if len(token) <= 20 else token[:17] + "..."
    raise InstanceFormatError(f"line {k}: {what} must be a whole number, not {shown!r}")


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
        dimension = int(header.get("DIMENSION", len(coords)))
    except (KeyError, ValueError, IndexError) as exc:
        raise InstanceFormatError(f"{name}: missing or malformed field {exc}") from exc
    for section, table in (("NODE_COORD_SECTION", coords), ("DEMAND_SECTION", demands)):
        if len(table) != len(sections[section]) or len(table) != dimension:
            raise InstanceFormatError(f"{name}: {section} needs one row for each of the {dimension} nodes")
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


def _out_of_bounds(inst: VrpInstance) -> str | None:
    """The first value of ``inst`` outside the documented bounds, said in the file's terms."""
    if inst.size - 1 > MAX_CUSTOMERS:
        return f"{inst.size - 1:,} customers, more than the {MAX_CUSTOMERS:,} supported"
    if inst.capacity > MAX_QUANTITY:
        return f"capacity {inst.capacity} is above the maximum of {MAX_QUANTITY:,}"
    if len(set(inst.labels)) != inst.size:
        twice = next(label for label in inst.labels if inst.labels.count(label) > 1)
        return f"customer number {twice} appears more than once"
    for i in range(inst.size):
        problem = _node_out_of_bounds(inst, i)
        if problem is not None:
            return f"{'the depot' if i == 0 else f'customer {inst.labels[i]}'} {problem}"
    return None


def _node_out_of_bounds(inst: VrpInstance, i: int) -> str | None:
    # ``not low <= v <= high`` is also true for NaN.
    x, y, demand = inst.x[i], inst.y[i], inst.demand[i]
    if not (-MAX_COORDINATE <= x <= MAX_COORDINATE and -MAX_COORDINATE <= y <= MAX_COORDINATE):
        return f"has coordinates ({x:g}, {y:g}); each must be within ±{MAX_COORDINATE:,}"
    if i == 0 and demand != 0:
        return f"has demand {demand}; the depot's must be 0"
    if not 0 <= demand <= MAX_QUANTITY:
        return f"has demand {demand}; it must be from 0 to {MAX_QUANTITY:,}"
    if inst.ready is None or inst.due is None or inst.service is None:
        return None
    times = {"ready time": inst.ready[i], "due time": inst.due[i], "service time": inst.service[i]}
    for what, t in times.items():
        if not 0 <= t <= MAX_TIME:
            return f"has {what} {t:g}; times must be from 0 to {MAX_TIME:,}"
    if inst.ready[i] > inst.due[i]:
        return f"has ready time {inst.ready[i]:g} after its due time {inst.due[i]:g}"
    if inst.ready[i] > inst.due[0]:
        closes = inst.due[0]
        return f"has ready time {inst.ready[i]:g}, after the depot closes at {closes:g}: it cannot be served"
    return None
