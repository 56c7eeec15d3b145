"""Splitting a season into shards by product and merging the shards' outcomes (no engine run)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from engine.service.commands import DispatchShipment
from experiments.simulation.ledger import Ledger
from experiments.simulation.scenario import Scenario, ScenarioError, load_scenario, rescale
from experiments.simulation.season import SeasonOutcome
from experiments.simulation.shards import merge, per_shard, split

SCENARIOS = Path(__file__).resolve().parents[3] / "experiments" / "scenarios"


def launch(skus: int = 10) -> Scenario:
    return rescale(load_scenario(SCENARIOS / "console_launch.yaml"), skus=skus)


def test_one_shard_is_the_scenario_itself() -> None:
    scenario = launch()
    assert split(scenario, 1) == [scenario]


def test_shards_deal_every_product_to_exactly_one_shard_each_with_a_seed_of_its_own() -> None:
    scenario = launch(10)

    parts = split(scenario, 3)

    skus = [p.sku for part in parts for p in part.products]
    assert sorted(skus) == sorted(p.sku for p in scenario.products)
    assert [len(part.products) for part in parts] == [4, 3, 3]
    seeds = [part.seed for part in parts]
    assert len(set(seeds)) == 3 and scenario.seed not in seeds
    assert [part.seed for part in split(scenario, 3)] == seeds  # the same split every time
    assert [part.seed for part in split(launch(10).model_copy(update={"seed": 8}), 3)] != seeds


def test_more_shards_than_products_are_refused_in_one_line() -> None:
    with pytest.raises(ScenarioError, match="need at least 11 products"):
        split(launch(10), 11)
    with pytest.raises(ScenarioError, match="at least 1"):
        split(launch(10), 0)


def test_a_shipment_carrying_orders_of_two_shards_is_split_between_them_with_its_cost_shared_by_units() -> (
    None
):
    mixed = DispatchShipment("s1", ("a", "c", "b"), "van", "DE-BE", 30.0, 90.0, "merged")
    alone = DispatchShipment("s2", ("d",), "parcel", "DE-BY", 5.0, 7.0, "parcel")

    first, second = per_shard([mixed, alone], [["a", "b"], ["c", "d"]], {"a": 1, "b": 1, "c": 4, "d": 2})

    assert first == [replace(mixed, order_ids=("a", "b"), distance=10.0, cost=30.0)]
    assert second == [replace(mixed, order_ids=("c",), distance=20.0, cost=60.0), alone]


def ledger_of(ids: list[str], *, day: int) -> Ledger:
    ledger = Ledger()
    for k, order_id in enumerate(ids):
        row = ledger.add(
            order_id,
            sku=k,
            units=k + 1,
            price=10.0,
            lane=0,
            day=day,
            promise=(day + 5, day + 6, day + 8),
            from_stock=False,
        )
        ledger.shipped(row, day + 5)
    ledger.last_window[len(ids) - 1] = (day + 6, day + 7)
    ledger.units_demanded = 10 * len(ids)
    ledger.refuse("sold_out", 3)
    ledger.decision_seconds.append(0.001 * len(ids))
    return ledger


def daily(
    *, placed: list[float], prices: list[float], queued: list[float], on_hand: list[float]
) -> dict[str, list[float]]:
    return {"orders_placed": placed, "price_index": prices, "queued_units": queued, "units_on_hand": on_hand}


def test_merging_shards_puts_their_ledgers_one_after_the_other_and_adds_up_their_days() -> None:
    first = SeasonOutcome(
        ledger_of(["a", "b"], day=1),
        [5.0],
        daily(placed=[1.0, 1.0], prices=[100.0, 110.0], queued=[2.0, 0.0], on_hand=[0.0, 1.0]),
        undelivered=1,
        products=1,
    )
    second = SeasonOutcome(
        ledger_of(["c", "d", "e"], day=2),
        [7.0, 1.0],
        daily(placed=[2.0, 1.0], prices=[100.0, 120.0], queued=[3.0, 1.0], on_hand=[1.0, 1.0]),
        undelivered=0,
        products=3,
    )

    merged = merge([first, second])

    ledger = merged.ledger
    assert ledger.ids == ["a", "b", "c", "d", "e"]
    assert ledger.row_of == {"a": 0, "b": 1, "c": 2, "d": 3, "e": 4}
    assert ledger.units == [1, 2, 1, 2, 3] and ledger.placed_day == [1, 1, 2, 2, 2]
    assert ledger.shipped_day == [6, 6, 7, 7, 7]
    assert ledger.last_window == {1: (7, 8), 4: (8, 9)}
    assert ledger.units_demanded == 50 and ledger.units_refused == {"sold_out": 6}
    assert ledger.decision_seconds == [0.002, 0.003]
    assert merged.shipment_costs == [5.0, 7.0, 1.0]
    assert merged.series["orders_placed"] == [3.0, 2.0]
    assert merged.series["queued_units"] == [5.0, 1.0]
    assert merged.series["price_index"] == pytest.approx([100.0, (110.0 + 3 * 120.0) / 4])
    assert merged.undelivered == 1 and merged.products == 4
