"""Channel allocation: integral shares that use up the run, respect minimums, and maximise value."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizers.allocation import (
    AllocationInfeasible,
    ChannelDemand,
    allocate_channels,
    allocate_proportionally,
    evaluate,
    expected_sales,
)

CHANNELS = [
    ChannelDemand("web", mean=20, std=6, margin=10, min_share=0.1),
    ChannelDemand("marketplace", mean=15, std=8, margin=6, min_share=0.1),
    ChannelDemand("retail", mean=8, std=2, margin=8, min_share=0.2),
]


def test_expected_sales_never_exceed_units_or_demand_and_grow_ever_more_slowly() -> None:
    values = [expected_sales(u, 20, 6) for u in range(0, 60)]

    assert values[0] == 0 and all(v <= u for u, v in enumerate(values))
    assert values[-1] == pytest.approx(20, abs=1e-3)
    gains = [b - a for a, b in itertools.pairwise(values)]
    assert all(g2 <= g1 + 1e-12 for g1, g2 in itertools.pairwise(gains))


def test_the_split_matches_exhaustive_search_on_a_small_run() -> None:
    # Given a run of 30 units over three channels with minimum shares
    run = 30
    floors = [3, 3, 6]

    # When allocated without a fairness term
    result = allocate_channels(CHANNELS, run, time_limit_s=2.0)

    # Then no feasible split is worth noticeably more (the model is exact at integer units)
    best = max(
        evaluate(CHANNELS, [a, b, run - a - b])[1]
        for a in range(floors[0], run + 1)
        for b in range(floors[1], run - a + 1)
        if run - a - b >= floors[2]
    )
    assert result.status == "optimal"
    assert result.expected_value == pytest.approx(best, rel=1e-4)
    assert sum(u for _, u in result.units) == run


def test_a_fairness_weight_raises_the_worst_fill_rate_and_beats_the_proportional_baseline_on_value() -> None:
    run = 30
    plain = allocate_channels(CHANNELS, run, time_limit_s=2.0)
    fair = allocate_channels(CHANNELS, run, fairness_weight=500.0, time_limit_s=2.0)
    baseline = allocate_proportionally(CHANNELS, run)

    assert fair.worst_fill_rate > plain.worst_fill_rate
    assert plain.expected_value >= baseline.expected_value
    assert sum(u for _, u in baseline.units) == run


def test_minimum_shares_that_exceed_the_run_are_refused() -> None:
    greedy = [ChannelDemand("a", 10, 1, 1, min_share=0.6), ChannelDemand("b", 10, 1, 1, min_share=0.6)]

    with pytest.raises(AllocationInfeasible):
        allocate_channels(greedy, 10)
    with pytest.raises(AllocationInfeasible):
        allocate_proportionally(greedy, 10)


channels = st.lists(
    st.builds(
        ChannelDemand,
        channel=st.uuids().map(str),
        mean=st.floats(0, 500),
        std=st.floats(0, 200),
        margin=st.floats(0, 50),
        min_share=st.sampled_from([0.0, 0.05, 0.1]),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=20, deadline=None)
@given(channels, st.integers(0, 2000), st.floats(0, 1000))
def test_allocations_are_integral_sum_to_the_run_and_honour_minimum_shares(
    demands: list[ChannelDemand], run: int, fairness: float
) -> None:
    owed = [math.ceil(d.min_share * run - 1e-9) for d in demands]
    if sum(owed) > run:
        # Whole units cannot meet every rounded-up minimum: refused, never silently short.
        with pytest.raises(AllocationInfeasible):
            allocate_channels(demands, run, fairness_weight=fairness, time_limit_s=1.0)
        return
    for result in (
        allocate_channels(demands, run, fairness_weight=fairness, time_limit_s=1.0),
        allocate_proportionally(demands, run),
    ):
        units = [u for _, u in result.units]
        assert sum(units) == run
        assert all(isinstance(u, int) and u >= m for u, m in zip(units, owed, strict=True))
