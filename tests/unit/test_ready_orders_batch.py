"""The orders ready to ship as one batch of columns: what the logistics agent reads, and what goes to it
on Ray."""

import pickle

import pytest

from engine.service.ready_orders import ReadyOrder, ReadyOrders


def order(k: int, region: str | None = "CA") -> ReadyOrder:
    return ReadyOrder(f"o{k}", f"SKU-{k % 2}", 1 + k % 3, f"c{k}", "US", region, f"9{k:04d}", 739_000 + k)


def test_a_batch_reads_as_the_orders_it_was_made_of_in_order() -> None:
    orders = [order(k) for k in range(5)] + [order(5, region=None)]
    batch = ReadyOrders.of_rows(orders)
    assert len(batch) == 6 and list(batch) == orders
    assert batch[0] == orders[0] and batch[-1].region is None
    assert list(batch[1:3]) == orders[1:3] and isinstance(batch[1:3], ReadyOrders)
    assert batch.ids == [o.id for o in orders] and batch.units == [o.units for o in orders]
    assert batch == orders and batch != orders[:-1]


def test_an_empty_batch_is_false_and_equal_to_no_orders() -> None:
    assert not ReadyOrders() and ReadyOrders() == () and list(ReadyOrders.of_rows([])) == []


def test_batches_join_one_after_the_other() -> None:
    first, second = [order(k) for k in range(3)], [order(k) for k in range(10, 12)]
    joined = ReadyOrders.joined([ReadyOrders.of_rows(first), ReadyOrders(), ReadyOrders.of_rows(second)])
    assert list(joined) == first + second


def test_a_batch_survives_pickling_as_columns_not_as_objects() -> None:
    batch = ReadyOrders.of_rows(order(k) for k in range(1_000))
    data = pickle.dumps(batch, protocol=5)
    assert pickle.loads(data) == batch
    # columns: the batch's class is named once, and the order's class not at all
    assert data.count(b"ReadyOrder") == 1 and b"ReadyOrders" in data


def test_a_batch_with_the_wrong_number_of_columns_is_refused() -> None:
    with pytest.raises(ValueError, match="8 columns, not 2"):
        ReadyOrders([["o1"], ["SKU"]])
