"""A bronze fetch collects garbage less often, and gives the process its thresholds back."""

import gc

import pytest

from spotify_assets.assets.bronze.bronze_asset import fewer_collections


def test_the_threshold_is_raised_during_the_fetch_and_restored_after_a_failure():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        assert gc.get_threshold()[0] > before[0]
        raise RuntimeError("the fetch failed")
    assert gc.get_threshold() == before
