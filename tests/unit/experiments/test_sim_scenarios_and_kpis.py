"""Scenario files, world generation and KPI arithmetic of the strategy simulator (no engine run)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from engine.domain.delivery_window import DeliveryModel, window_offsets
from engine.domain.supply import LotKind
from experiments.simulation.kpis import KPI_NAMES, compute_kpis, differences
from experiments.simulation.ledger import IndexedSet, Ledger
from experiments.simulation.scenario import (
    ReplenishIn,
    ScenarioError,
    SlipIn,
    expected_orders,
    load_scenario,
    rescale,
)
from experiments.simulation.supply import LotFate, Replenisher, realise, slip_moments

SCENARIOS = Path(__file__).resolve().parents[3] / "experiments" / "scenarios"
SHIPPED = ("console_launch", "steady_open_ended", "fragile_supply")


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_scenario_loads_and_is_documented(name: str) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    assert scenario.name == name
    readme = (SCENARIOS / "README.md").read_text()
    assert name in readme


def test_an_unknown_field_is_refused_in_one_line_naming_it(tmp_path: Path) -> None:
    text = (SCENARIOS / "console_launch.yaml").read_text().replace("seed: 7", "seed: 7\nsede: 8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(ScenarioError) as refused:
        load_scenario(bad)
    message = str(refused.value)
    assert "sede" in message and "\n" not in message


def test_a_file_that_is_not_yaml_is_refused_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ScenarioError, match="not valid YAML") as refused:
        load_scenario(bad)
    assert "\n" not in str(refused.value)


def test_rescaling_hits_the_requested_order_count_skus_and_days() -> None:
    scenario = load_scenario(SCENARIOS / "console_launch.yaml")
    scaled = rescale(scenario, orders=20_000, skus=10, days=200, seed=5)
    assert len(scaled.products) == 10
    assert len({p.sku for p in scaled.products}) == 10
    assert scaled.horizon_days == 200
    assert scaled.seed == 5
    assert expected_orders(scaled) == pytest.approx(20_000, rel=1e-6)


def test_a_slipped_lot_is_announced_before_it_arrives_and_arrives_later_than_planned() -> None:
    rng = np.random.default_rng(1)
    slip = SlipIn(probability=1.0, mean_days=10, notice_days=5)
    fates = [
        realise(
            sku=0,
            lot_id="R",
            kind=LotKind.RUN,
            quantity=10,
            supplier=None,
            planned_day=40,
            spread_days=0,
            slip=slip,
            today=0,
            rng=rng,
        )
        for _ in range(50)
    ]
    for fate in fates:
        assert fate.slipped_day > fate.planned_day
        assert fate.arrival_day == fate.slipped_day
        assert fate.announce_day is not None and fate.announce_day < fate.arrival_day


LAUNCH_SLIP = SlipIn(probability=0.1, mean_days=3, notice_days=14)


def _fates(
    count: int, *, slip: SlipIn, spread: float = 1.5, planned: int = 35, today: int = 0, seed: int = 1
) -> list[LotFate]:
    rng = np.random.default_rng(seed)
    return [
        realise(
            sku=0,
            lot_id="R",
            kind=LotKind.RUN,
            quantity=10,
            supplier=None,
            planned_day=planned,
            spread_days=spread,
            slip=slip,
            today=today,
            rng=rng,
        )
        for _ in range(count)
    ]


def test_the_slip_moments_are_those_of_the_slips_the_world_draws() -> None:
    slip = SlipIn(probability=0.3, mean_days=4, notice_days=5)
    slips = np.array([f.slipped_day - f.planned_day for f in _fates(40_000, slip=slip, spread=0)])
    mean, variance = slip_moments(slip)
    assert slips.mean() == pytest.approx(mean, rel=0.03)
    assert slips.var() == pytest.approx(variance, rel=0.05)
    assert slip_moments(SlipIn()) == (0.0, 0.0)


def test_until_its_notice_a_risky_lot_is_stated_with_its_slip_risk_then_confirmed() -> None:
    mean, variance = slip_moments(LAUNCH_SLIP)
    for fate in _fates(200, slip=LAUNCH_SLIP):
        assert fate.stated_day == 35 + round(mean)
        assert fate.stated_spread == pytest.approx(math.sqrt(1.5**2 + variance + (mean - round(mean)) ** 2))
        assert fate.announce_day is not None
        assert fate.announce_day == min(35 - 14, fate.arrival_day - 1)


def test_a_lot_known_when_planned_or_without_slip_risk_is_stated_as_confirmed() -> None:
    late = _fates(200, slip=LAUNCH_SLIP, today=30)  # its notice day (21) has passed
    riskless = _fates(200, slip=SlipIn())
    for fate in late + riskless:
        assert fate.announce_day is None
        assert (fate.stated_day, fate.stated_spread) == (fate.slipped_day, 1.5)


def test_windows_from_the_stated_plan_hold_their_confidence_under_the_worlds_own_draws() -> None:
    # The launch's lots and its NY lane; the noise-only spread the plan used to state held 92% only.
    fates = _fates(20_000, slip=LAUNCH_SLIP)
    handling, p10, p50, p90 = 1, 2, 3, 6
    rng = np.random.default_rng(2)
    sigma = (math.log(p90 + 1) - math.log(p10 + 1)) / (2 * 1.2815515655446004)
    transit = np.exp(rng.normal(math.log(p50 + 1), sigma, len(fates))) - 1
    offsets = np.array([f.arrival_day - f.stated_day for f in fates]) + handling
    delivered = offsets + np.floor(np.round(np.maximum(transit, 0), 9))
    window = window_offsets(DeliveryModel.of(fates[0].stated_spread, handling, p10, p50, p90), 0.95)
    held = np.mean((delivered >= window.earliest) & (delivered <= window.latest))
    assert held >= 0.945
    assert held == pytest.approx(window.confidence, abs=0.015)


def test_replenishment_orders_up_to_demand_over_lead_time_review_and_safety() -> None:
    rule = ReplenishIn(review_every_days=7, lead_time_days=21, safety_days=7)
    supplier = Replenisher(0, rule)
    assert supplier.order(3, net_units_sold=0, recent_units_per_day=10) == 0  # not a review day
    assert supplier.order(7, net_units_sold=0, recent_units_per_day=10) == 350
    assert supplier.order(14, net_units_sold=0, recent_units_per_day=10) == 0  # already on order


def test_an_indexed_set_keeps_members_after_removals() -> None:
    members: IndexedSet[int] = IndexedSet()
    for k in range(6):
        members.add(k)
    members.discard(2)
    members.discard(5)
    members.discard(9)
    assert sorted(members.items) == [0, 1, 3, 4]
    assert 2 not in members and 3 in members and len(members) == 4


def _ledger() -> Ledger:
    ledger = Ledger()
    # (units, price, placed, promised availability, window, from stock)
    rows = [
        (1, 100.0, 0, 10, (12, 15), False),
        (2, 100.0, 0, 10, (12, 15), False),
        (1, 50.0, 5, 5, (6, 8), True),
        (1, 100.0, 2, 12, (14, 17), False),
    ]
    for k, (units, price, placed, promised, window, stock) in enumerate(rows):
        ledger.add(
            f"o{k}",
            sku=0,
            units=units,
            price=price,
            lane=0,
            day=placed,
            promise=(promised, *window),
            from_stock=stock,
        )
    ledger.units_demanded = 5 + 2  # two more units were refused
    ledger.shipped(0, 10)
    ledger.delivered_day[0] = 13  # inside the window
    ledger.shipped(1, 15)  # 5 days late on a 10-day wait
    ledger.delivered_day[1] = 19  # late
    ledger.shipped(2, 5)
    ledger.delivered_day[2] = 7
    ledger.cancel(3)
    ledger.decision_seconds = [0.001] * 99 + [0.1]
    return ledger


def test_kpis_follow_their_definitions_on_a_hand_made_ledger() -> None:
    kpis = compute_kpis(_ledger(), shipment_costs=[10.0, 10.0], wall_seconds=1.5)
    assert set(KPI_NAMES) <= set(kpis)
    assert kpis["orders"] == 3
    assert kpis["units"] == 4
    assert kpis["preorder_share_of_sales"] == pytest.approx(3 / 4)
    assert kpis["on_time_rate"] == pytest.approx(2 / 3)
    assert kpis["wait_time_mape"] == pytest.approx((0 / 10 + 5 / 10) / 2)
    assert kpis["fill_rate"] == pytest.approx(4 / (7 - 1))
    assert kpis["revenue"] == pytest.approx(100 + 200 + 50)
    assert kpis["logistics_cost_per_unit"] == pytest.approx(20 / 4)
    assert kpis["cancellation_rate"] == pytest.approx(1 / 4)
    assert 1.0 <= kpis["p99_decision_ms"] <= 100.0
    assert kpis["wall_seconds"] == 1.5


def _one_order(promise: tuple[int, int, int], *, shipped: int, delivered: int) -> Ledger:
    ledger = Ledger()
    ledger.add("o", sku=0, units=1, price=1.0, lane=0, day=0, promise=promise, from_stock=False)
    ledger.shipped(0, shipped)
    ledger.delivered_day[0] = delivered
    return ledger


def _rates(ledger: Ledger) -> tuple[float, float, float]:
    kpis = compute_kpis(ledger, shipment_costs=[], wall_seconds=0.0)
    names = ("on_time_rate", "on_time_rate_placement_promise", "on_time_rate_current_promise")
    return kpis["on_time_rate"], kpis[names[1]], kpis[names[2]]


def test_an_early_delivery_is_on_time_only_inside_a_window_the_engine_moved_earlier_before_shipping() -> None:
    unannounced = _one_order((20, 22, 27), shipped=10, delivered=13)
    assert _rates(unannounced) == (0.0, 0.0, 0.0)
    announced = _one_order((20, 22, 27), shipped=10, delivered=13)
    announced.last_window[0] = (12, 17)  # the queue moved up and the customer was told
    assert _rates(announced) == (1.0, 0.0, 1.0)


def test_a_slip_never_excuses_a_late_delivery() -> None:
    slipped = _one_order((20, 22, 27), shipped=26, delivered=30)
    slipped.last_window[0] = (28, 33)  # re-promised later, and delivered inside the new window
    assert _rates(slipped) == (0.0, 0.0, 1.0)


def test_a_paused_order_is_held_to_the_promise_made_when_it_resumed() -> None:
    ledger = _one_order((20, 22, 27), shipped=40, delivered=43)
    ledger.resumed[0] = (30, 40, 42, 47)  # paused on day 5, resumed on day 30
    kpis = compute_kpis(ledger, shipment_costs=[], wall_seconds=0.0)
    assert kpis["on_time_rate"] == 1.0 and kpis["on_time_rate_placement_promise"] == 0.0
    assert kpis["wait_time_mape"] == 0.0  # shipped on the day promised at resume, 10 days ahead
    ledger.shipped_day[0] = 42
    assert compute_kpis(ledger, shipment_costs=[], wall_seconds=0.0)["wait_time_mape"] == pytest.approx(0.2)


def test_differences_are_policy_minus_baseline() -> None:
    ours = {name: 2.0 for name in KPI_NAMES}
    theirs = {name: 0.5 for name in KPI_NAMES}
    assert differences(ours, theirs) == {name: 1.5 for name in KPI_NAMES}
