"""Same seed, same bytes: two sandboxes with one seed answer byte-identical bodies.

Bodies carry absolute URLs, so the strict comparison runs the second server on the first one's
port after the first has stopped; servers side by side are compared with the base URL masked.
"""

import pytest

from spotify_assets.sandbox import SandboxConfig, run_sandbox
from spotify_assets_tests.sandbox.client import ApiClient


def _paths(catalog) -> list[str]:
    artist_id = catalog.artist_ids()[4]
    album_id = catalog.artist_albums(artist_id)[0].album.id
    playlist_id = catalog.playlist_ids()[2]
    return [
        f"/artists/{artist_id}",
        f"/artists?ids={','.join(catalog.artist_ids())}",
        f"/artists/{artist_id}/albums?limit=10&offset=5&market=US",
        f"/albums/{album_id}",
        f"/albums/{album_id}/tracks?limit=3&offset=1",
        f"/tracks/{catalog.album_tracks(album_id)[0].id}",
        "/search?q=a&type=artist,album,track,playlist&limit=10",
        f"/playlists/{playlist_id}",
        f"/playlists/{playlist_id}/items?limit=50&additional_types=episode",
        "/browse/new-releases",
    ]


def _bodies(config: SandboxConfig) -> tuple[int, list[bytes], str]:
    with run_sandbox(config) as server:
        client = ApiClient(server)
        responses = [client.get(path) for path in _paths(server.catalog)]
        # Development mode refuses batch gets and new releases; those 403s must match too.
        assert all(r.status_code in (200, 403) for r in responses)
        return server.port, [r.content for r in responses], server.base_url


@pytest.mark.parametrize("mode", ["extended", "development"])
def test_the_same_seed_gives_byte_identical_bodies(mode):
    port, first, _ = _bodies(SandboxConfig(mode=mode))
    _, second, _ = _bodies(SandboxConfig(mode=mode, port=port))
    assert first == second


def test_side_by_side_servers_differ_only_in_their_urls():
    with run_sandbox() as one, run_sandbox() as two:
        for path in _paths(one.catalog):
            left, right = ApiClient(one).get(path).content, ApiClient(two).get(path).content
            assert left != right
            assert left.replace(one.base_url.encode(), b"") == right.replace(
                two.base_url.encode(), b""
            )


def test_another_seed_gives_other_bodies():
    _, first, _ = _bodies(SandboxConfig(seed=1))
    _, second, _ = _bodies(SandboxConfig(seed=2))
    assert all(a != b for a, b in zip(first, second, strict=True))
