"""Channel allocation by marginal gain: the exact optimum without a fairness term, checked against
exhaustive search on small runs and against the CP-SAT model on large ones."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizers.allocation import (
    AllocationInfeasible,
    ChannelDemand,
    allocate_channels,
    evaluate,
    minimum_units,
)
from optimizers.marginal_allocation import allocate_by_marginal_gain, unit_gain


def best_by_exhaustive_search(demands: list[ChannelDemand], run: int) -> float:
    floors = minimum_units(demands, run)
    best = -1.0
    ranges = [range(floor, run + 1) for floor in floors[:-1]]
    for head in itertools.product(*ranges):
        last = run - sum(head)
        if last >= floors[-1]:
            best = max(best, evaluate(demands, [*head, last])[1])
    return best


small_channels = st.lists(
    st.builds(
        ChannelDemand,
        channel=st.uuids().map(str),
        mean=st.floats(-5, 40),
        std=st.sampled_from([0.0, 0.5, 3.0, 12.0]),
        margin=st.sampled_from([0.0, 0.5, 1.0, 7.5]),
        min_share=st.sampled_from([0.0, 0.05, 0.2]),
    ),
    min_size=1,
    max_size=3,
)


@settings(max_examples=150, deadline=None)
@given(small_channels, st.integers(0, 30))
def test_no_split_of_a_small_run_is_worth_more_than_the_marginal_gain_split(
    demands: list[ChannelDemand], run: int
) -> None:
    try:
        floors = minimum_units(demands, run)
    except AllocationInfeasible:
        with pytest.raises(AllocationInfeasible):
            allocate_by_marginal_gain(demands, run)
        return

    result = allocate_by_marginal_gain(demands, run)

    units = [u for _, u in result.units]
    assert sum(units) == run
    assert all(u >= floor for u, floor in zip(units, floors, strict=True))
    assert result.expected_value >= best_by_exhaustive_search(demands, run) - 1e-9


def test_on_large_runs_the_split_is_worth_at_least_what_the_cp_sat_model_finds() -> None:
    # Given four channels with wide demand and a run of thousands of units
    demands = [
        ChannelDemand("web", mean=2400, std=400, margin=1.0, min_share=0.05),
        ChannelDemand("marketplace", mean=900, std=300, margin=1.0, min_share=0.05),
        ChannelDemand("retail", mean=300, std=60, margin=1.0, min_share=0.05),
        ChannelDemand("partner", mean=120, std=90, margin=1.0, min_share=0.05),
    ]
    for run in (500, 2_000, 3_100, 5_000):
        # When split by marginal gain and by CP-SAT without a fairness term
        fast = allocate_by_marginal_gain(demands, run)
        model = allocate_channels(demands, run, time_limit_s=5.0)

        # Then the marginal-gain split is worth at least as much (CP-SAT models the curves piecewise)
        assert fast.expected_value >= model.expected_value - 1e-6
        assert sum(u for _, u in fast.units) == run


def test_a_unit_is_never_worth_more_than_the_one_before_it() -> None:
    demand = ChannelDemand("web", mean=50, std=15, margin=3.0)

    gains = [unit_gain(demand, u) for u in range(1, 200)]

    assert all(later <= earlier + 1e-12 for earlier, later in itertools.pairwise(gains))
    assert gains[0] == pytest.approx(3.0, rel=1e-3) and gains[-1] == pytest.approx(0.0, abs=1e-9)


def test_negative_margins_are_refused_rather_than_split_wrongly() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        allocate_by_marginal_gain([ChannelDemand("web", mean=10, std=2, margin=-1.0)], 5)


def test_channels_with_large_demand_are_split_as_well_as_the_cp_sat_model_does() -> None:
    # Large means: the gains of successive units differ by less than floating-point noise
    demands = [
        ChannelDemand("web", mean=250_000, std=9_000, margin=1.0, min_share=0.05),
        ChannelDemand("pos", mean=40_000, std=3_000, margin=1.0, min_share=0.05),
    ]

    fast = allocate_by_marginal_gain(demands, 200_000)
    model = allocate_channels(demands, 200_000, time_limit_s=5.0)

    assert sum(u for _, u in fast.units) == 200_000
    assert fast.expected_value >= model.expected_value - 1e-6 * 200_000


def test_a_run_bigger_than_all_demand_still_gives_every_unit_out_and_owed_channels_their_share() -> None:
    demands = [
        ChannelDemand("web", mean=10, std=2, margin=1.0, min_share=0.1),
        ChannelDemand("retail", mean=5, std=1, margin=1.0, min_share=0.3),
    ]

    result = allocate_by_marginal_gain(demands, 1_000)

    units = dict(result.units)
    assert sum(units.values()) == 1_000
    assert units["retail"] >= 300 and units["web"] >= 100
    assert result.expected_fulfilled == pytest.approx(15, abs=0.01)
