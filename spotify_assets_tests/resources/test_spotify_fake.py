"""The fake client answers like the live one: same objects, endpoints, parameters and paging.

Each test serves one canned data set twice, through the live client over the fake transport and
through ``FakeSpotifyClient``, and compares everything but the fetch times.
"""

import json

import pytest

from spotify_assets.resources.spotify_client import FakeSpotifyClient, SpotifyForbiddenError
from spotify_assets_tests.fixtures.spotify import Reply, Seen, api_error, paged_handler, paging

ARTISTS = {f"ar{i:020d}": {"id": f"ar{i:020d}", "name": f"Artist {i}"} for i in range(3)}
ALBUM_TRACKS = {
    f"al{i:020d}": [{"id": f"tr{i:02d}{j:018d}", "track_number": j + 1} for j in range(i * 40)]
    for i in range(3)
}
ALBUMS = {
    album_id: {"id": album_id, "name": album_id, "tracks": paging(tracks, offset=0, limit=50)}
    for album_id, tracks in ALBUM_TRACKS.items()
}
ARTIST_ALBUMS = {artist_id: list(ALBUMS.values()) for artist_id in ARTISTS}
ARTIST_ALBUMS[next(iter(ARTISTS))] = [
    {"id": f"x{i:021d}", "album_group": "album"} for i in range(23)
]
TRACKS = {t["id"]: t for tracks in ALBUM_TRACKS.values() for t in tracks}
PLAYLIST_ID = "pl000000000000000000000"
PLAYLISTS = {PLAYLIST_ID: {"id": PLAYLIST_ID, "name": "Mix"}}
ENTRIES = [{"item": {"id": t}} for t in list(TRACKS)[:7]] + [{"item": None}]


def serve(fake_http) -> None:
    def by_id(kind: str, objects: dict):
        def handle(seen: Seen) -> Reply:
            parts = seen.path.split("/")
            if len(parts) == 3:
                return Reply(200, {kind: [objects.get(i) for i in seen.params["ids"].split(",")]})
            obj = objects.get(parts[3])
            return Reply(200, obj) if obj else api_error(404, "non existing id")

        return handle

    for artist_id, albums in ARTIST_ALBUMS.items():
        fake_http.route(f"/artists/{artist_id}/albums", paged_handler(albums))
    for album_id, tracks in ALBUM_TRACKS.items():
        fake_http.route(f"/albums/{album_id}/tracks", paged_handler(tracks))
    fake_http.route(f"/playlists/{PLAYLIST_ID}/items", paged_handler(ENTRIES))
    fake_http.route("/playlists", by_id("playlists", PLAYLISTS))
    fake_http.route("/artists", by_id("artists", ARTISTS))
    fake_http.route("/albums", by_id("albums", ALBUMS))
    fake_http.route("/tracks", by_id("tracks", TRACKS))


def fake(mode: str) -> FakeSpotifyClient:
    return FakeSpotifyClient(
        artists=ARTISTS,
        albums=ALBUMS,
        tracks=TRACKS,
        playlists=PLAYLISTS,
        artist_albums=ARTIST_ALBUMS,
        album_tracks=ALBUM_TRACKS,
        playlist_items={PLAYLIST_ID: ENTRIES},
        api_mode=mode,
    )


def comparable(fetched: list) -> list:
    return [(f.spotify_id, f.object, f.endpoint, dict(f.params)) for f in fetched]


def run_everything(client) -> list:
    ids = [*ARTISTS, "unknown000000000000000"]
    albums = client.get_albums(ids=list(ALBUMS))
    return [
        comparable(client.get_artists(ids=ids)),
        comparable(albums),
        comparable(client.get_tracks(ids=list(TRACKS)[:60])),
        *(comparable(v) for v in client.get_artists_albums(artist_ids=list(ARTISTS)).values()),
        *(
            comparable(v)
            for v in client.get_albums_remaining_tracks(albums=[f.object for f in albums]).values()
        ),
        comparable([client.get_playlist(playlist_id=PLAYLIST_ID)]),
        comparable(client.get_playlist_items(playlist_id=PLAYLIST_ID)),
        client.count_artist_albums(artist_id=next(iter(ARTISTS))),
    ]


@pytest.mark.parametrize("mode", ["extended", "development"])
def test_fake_and_live_clients_agree(make_live_client, fake_http, mode):
    serve(fake_http)
    live = run_everything(make_live_client(api_mode=mode))
    canned = fake(mode)
    assert run_everything(canned) == live
    live_calls = sorted(f"{s.method} {s.path}" for s in fake_http.api_calls())
    assert canned.stats()["requests"] == len(live_calls)


def test_fake_loads_canned_json_and_counts_calls(tmp_path):
    path = tmp_path / "canned.json"
    path.write_text(json.dumps({"artists": ARTISTS, "artist_albums": ARTIST_ALBUMS}))
    client = FakeSpotifyClient.from_json(path)
    assert [f.object for f in client.get_artists(ids=list(ARTISTS))] == list(ARTISTS.values())
    assert len(client.get_artist_albums(artist_id=next(iter(ARTISTS)))) == 23
    stats = client.stats()
    assert stats["requests_by_endpoint"] == {"GET /artists": 1, "GET /artists/{id}/albums": 3}
    assert stats["bytes_received"] > 0


def test_fake_playlist_items_without_data_are_forbidden_like_development_mode():
    with pytest.raises(SpotifyForbiddenError) as caught:
        FakeSpotifyClient().get_playlist_items(playlist_id=PLAYLIST_ID)
    assert caught.value.kind == "forbidden"
