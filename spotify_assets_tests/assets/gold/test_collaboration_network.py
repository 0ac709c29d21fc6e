"""gold.collaboration_network against a hand-written silver fixture (silver_fixture.py).

Covers unordered pairs (each once, smaller id first), shared track counts across albums, the
year range, and null years when no shared track has a readable date.
"""

import pytest

from spotify_assets.assets.gold.collaboration_network import collaboration_network
from spotify_assets_tests.assets.bronze_rows import select_rows
from spotify_assets_tests.assets.gold.silver_fixture import write_silver
from spotify_assets_tests.assets.runs import build, failed_checks

pytestmark = pytest.mark.postgres


def test_one_row_per_pair_of_artists_sharing_tracks(postgres):
    write_silver(postgres)
    result = build(postgres, [collaboration_network])

    assert select_rows(postgres, "gold", "collaboration_network") == [
        # artist_a_id, artist_a_name, artist_b_id, artist_b_name, shared_tracks, first, last
        ("A1", "Ann", "A2", "Bob", 1, 2020, 2020),
        ("A1", "Ann", "A3", "Cy", 2, 1995, 2019),
        ("A2", "Bob", "A4", "Dee", 1, None, None),
    ]
    assert not failed_checks(result)
