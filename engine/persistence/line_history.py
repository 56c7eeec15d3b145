"""History entries written for many orders of one line at once — a re-promise, an allocation.

A whole-line change writes one row per block of the line (``BLOCK`` consecutive sequence numbers)
instead of one row per order: the orders' entries are packed in sequence order, with the dates and
promise sources they name listed once per row. Reading one order's history reads the rows of its
block. Each row records the last order-history id written before it (``events_before``), so an
order's entries from both tables come back in the order they happened.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection

from engine.persistence import rows
from engine.persistence.bulk import DeferredWrites, db_value, fetch_all, insert_rows

BLOCK = 512
ENTRY = np.dtype(
    [
        ("sequence", "<i8"),
        ("quantity", "<i4"),
        ("availability", "<i2"),  # index into the row's dates; -1: no promise in this entry
        ("earliest", "<i2"),
        ("latest", "<i2"),
        ("source", "<i2"),  # index into the row's sources
    ]
)
_COLUMNS = ("sku", "block", "events_before", "type", "at", "cause", "data", "entries")
_TYPES = ("varchar", "int4", "int8", "varchar", "timestamptz", "text", "text", "bytea")
_LAST_EVENT = "SELECT COALESCE(MAX(id), 0) FROM order_events"
_BLOCK_ROWS = (
    "SELECT id, events_before, type, at, cause, data, entries FROM line_history"
    " WHERE sku = ? AND block = ? ORDER BY id"
)


def write_line_entries(
    connection: Connection,
    writes: DeferredWrites,
    *,
    sku: str,
    kind: str,
    at: datetime,
    cause: str,
    sequences: list[int],
    quantities: list[int] | None = None,
    promises: tuple[list[str], ...] | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """One ``kind`` entry for each order of ``sku`` named by its sequence (in queue order), with its
    quantity and new promise (availability, earliest, latest, source) if given."""
    if not sequences:
        return
    writes.flush()  # the order-history rows this transaction wrote so far come before these entries
    events_before = int(fetch_all(connection, _LAST_EVENT, ())[0][0])
    entries = np.zeros(len(sequences), dtype=ENTRY)
    entries["sequence"] = sequences
    assert bool((entries["sequence"][1:] > entries["sequence"][:-1]).all()), "entries out of queue order"
    entries["quantity"] = quantities if quantities is not None else 0
    entries["availability"] = -1
    blocks = entries["sequence"] // BLOCK
    starts = np.flatnonzero(np.r_[True, blocks[1:] != blocks[:-1]]).tolist()
    ends = [*starts[1:], len(entries)]
    stamp = db_value(connection, at)
    rows = []
    for start, end in zip(starts, ends, strict=True):
        # Each row names the dates and sources of its own entries: at most three dates per order, so
        # the indexes fit their 16 bits whatever the line holds.
        dates, sources = _name_promises(entries[start:end], promises, start, end)
        text = json.dumps({**(data or {}), "dates": dates, "sources": sources})
        rows.append(
            (sku, int(blocks[start]), events_before, kind, stamp, cause, text, entries[start:end].tobytes())
        )
    insert_rows(connection, "line_history", _COLUMNS, rows, _TYPES)


def _name_promises(
    entries: np.ndarray, promises: tuple[list[str], ...] | None, start: int, end: int
) -> tuple[list[str], list[str]]:
    """Fill ``entries``' promise fields from ``promises[start:end]``; returns the dates and sources named."""
    if promises is None:
        return [], []
    availability, earliest, latest, named = (values[start:end] for values in promises)
    dates = sorted({*availability, *earliest, *latest})
    sources = sorted(set(named))
    date_index = {value: i for i, value in enumerate(dates)}
    source_index = {value: i for i, value in enumerate(sources)}
    for field, values in (("availability", availability), ("earliest", earliest), ("latest", latest)):
        entries[field] = [date_index[value] for value in values]
    entries["source"] = [source_index[value] for value in named]
    return dates, sources


def line_entries(connection: Connection, order_id: str, sku: str, sequence: int) -> list[tuple[Any, ...]]:
    """The order's entries written with its line, each as ``(sort key, entry)``; an entry sorts after
    the order-history rows written before it (whose sort key is ``(id, 0, 0)``)."""
    found = []
    for line_id, events_before, kind, at, cause, data, packed in fetch_all(
        connection, _BLOCK_ROWS, (sku, sequence // BLOCK)
    ):
        entries = np.frombuffer(packed, dtype=ENTRY)
        k = int(np.searchsorted(entries["sequence"], sequence))
        if k == len(entries) or int(entries["sequence"][k]) != sequence:
            continue
        entry = entries[k]
        shared = json.loads(data)
        dates, sources = shared.pop("dates"), shared.pop("sources")
        body: dict[str, Any] = {}
        if kind == "preorder_allocated":
            body = {"order_id": order_id, "quantity": int(entry["quantity"]), **shared}
        if entry["availability"] >= 0:
            body["after"] = {
                "expected_availability": dates[entry["availability"]],
                "earliest": dates[entry["earliest"]],
                "latest": dates[entry["latest"]],
                "source": sources[entry["source"]],
            }
        stamp = rows.stored_time(at)
        found.append(((events_before, 1, line_id), {"type": kind, "at": stamp, "cause": cause, "data": body}))
    return found
