"""Order ids sort in the order the orders were placed, even within one millisecond."""

from __future__ import annotations

import threading

from engine.service.placing import new_order_id


def test_ids_made_in_a_burst_sort_in_the_order_they_were_made() -> None:
    ids = [new_order_id() for _ in range(20_000)]  # many share a millisecond
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert len({i[:12] for i in ids}) < len(ids)  # the burst did put several in one millisecond
    assert all(len(i) == 24 and int(i, 16) >= 0 for i in ids)


def test_ids_made_by_threads_at_once_are_unique_and_each_threads_own_sort() -> None:
    made: list[list[str]] = [[] for _ in range(4)]

    def make(into: list[str]) -> None:
        into.extend(new_order_id() for _ in range(5_000))

    threads = [threading.Thread(target=make, args=(into,)) for into in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [i for into in made for i in into]
    assert len(set(every)) == len(every)
    assert all(into == sorted(into) for into in made)
