"""Each shard of a split season draws from a seed of its own, taken from the whole scenario seed."""

from __future__ import annotations

from experiments.simulation.shards import shard_seed


def test_seeds_that_differ_only_above_32_bits_give_different_shards() -> None:
    for seed in (0, 7, 2**31):
        assert shard_seed(seed, 0, 2) != shard_seed(seed + 2**32, 0, 2)
        assert shard_seed(seed + 2**40, 1, 2) != shard_seed(seed, 1, 2)


def test_each_shard_and_each_split_has_its_own_seed() -> None:
    seeds = {shard_seed(7, index, shards) for shards in (2, 3, 4) for index in range(shards)}
    assert len(seeds) == 2 + 3 + 4
    assert shard_seed(7, 1, 3) == shard_seed(7, 1, 3)
