"""A small bronze catalog exercising every silver rule at once, including every quarantine reason."""

from spotify_assets_tests.assets.bronze_rows import (
    album,
    artist,
    at,
    entry,
    episode,
    local_track,
    playlist,
    record,
    simple_album,
    simple_artist,
    simple_track,
    track,
)

ANN = simple_artist("A1", "Ann")
BOB = simple_artist("A2", "Bob")
CY = simple_artist("A3", "Cy")
GHOST = simple_artist(None, "Ghost")


def catalog(transform=lambda obj: obj) -> dict:
    """Bronze rows: two watched artists, four albums, a full track, a playlist, and broken bits.

    ``transform`` is applied to every response (e.g. ``development``).
    """
    first = album(
        "L1",
        "First",
        [ANN],
        [
            simple_track("T1", "One", [ANN]),
            simple_track(
                "T2", "Two", [ANN, CY], duration_ms=150_000, explicit=True, track_number=2
            ),
        ],
        release_date="2019-03-04",
    )
    single = album(
        "L2",
        "Single",
        [BOB],
        [simple_track("T3", "Three", [BOB, ANN])],
        album_type="single",
        release_date="2020",
        precision="year",
    )
    old = album(
        "L3",
        "Old",
        [BOB, GHOST],
        [
            simple_track("T4", "Four", [BOB, GHOST]),
            simple_track(None, "Nameless", [BOB], track_number=2),
        ],
        album_type="compilation",
        release_date="0000",
        precision="year",
    )
    nameless_album = {**album("L0", "Broken", [ANN], []), "id": None}
    nameless_listing = {**simple_album("L0", "Broken", [BOB]), "id": None}
    orphan_track = track("T6", "Six", [ANN], {**simple_album("LX", "Lost", [ANN]), "id": None})
    rows = {
        "artists": [
            record("artists", artist("A1", "Ann", genres=["pop"])),
            record("artists", artist("A2", "Bob", followers=5, popularity=7, genres=[])),
            record("artists", {**artist("A0", "Nobody"), "id": None}),
        ],
        "artist_albums": [
            record("artist_albums", simple_album("L1", "First", [ANN], album_group="album"),
                   parent_id="A1"),
            record("artist_albums", simple_album("L2", "Single", [BOB], album_type="single",
                                                 release_date="2020", precision="year",
                                                 album_group="appears_on"), parent_id="A1"),
            record("artist_albums", nameless_listing, parent_id="A2"),
        ],
        "albums": [record("albums", first), record("albums", single), record("albums", old),
                   record("albums", nameless_album)],
        "album_tracks": [],
        "tracks": [
            record("tracks", track("T1", "One", [ANN], simple_album("L1", "First", [ANN],
                                                                    release_date="2019-03-04"))),
            record("tracks", orphan_track),
        ],
        "playlists": [
            record("playlists", playlist("P1", "Mix", 7)),
            record("playlists", {**playlist("P0", "Nameless", 0), "id": None}),
        ],
        "playlist_items": [
            record("playlist_items", item, parent_id="P1", position=position, fetched_at=at(1))
            for position, item in enumerate([
                entry(track("T1", "One", [ANN], simple_album("L1", "First", [ANN],
                                                              release_date="2019-03-04"))),
                entry(None),
                entry(episode("E1", "Pod")),
                entry(local_track("home"), is_local=True),
                entry(track("T3", "Three", [BOB, ANN], simple_album(
                    "L2", "Single", [BOB], album_type="single", release_date="2020",
                    precision="year"))),
                entry({"id": "C1", "name": "Chapter 1", "type": "chapter"}),
                # Not a time at all: kept with added_at null, and quarantined.
                entry(track("T1", "One", [ANN], simple_album("L1", "First", [ANN],
                                                              release_date="2019-03-04")),
                      added_at="2025-13-45T99:00:00Z"),
            ])
        ],
    }  # fmt: skip
    return {
        table: [
            record(
                table,
                transform(dict(r.response)),
                fetched_at=r.fetched_at,
                parent_id=r.parent_id,
                position=r.position,
            )
            for r in records
        ]
        for table, records in rows.items()
    }


# target_table, reason, is_kept, spotify_id, parent_id, position, source_table, json_path
EXPECTED_QUARANTINE = sorted(
    [
        ("album_artists", "missing_id", False, None, "L3", 1, "albums", "$.artists[1]"),
        ("albums", "impossible_release_date", True, "L3", None, None, "albums", "$"),
        ("albums", "missing_id", False, None, None, None, "albums", "$"),
        ("albums", "missing_id", False, None, "A2", None, "artist_albums", "$"),
        ("albums", "missing_id", False, None, "T6", None, "tracks", "$.album"),
        ("artists", "missing_id", False, None, None, None, "artists", "$"),
        ("playlist_items", "episode", False, "E1", "P1", 2, "playlist_items", "$"),
        ("playlist_items", "impossible_added_at", True, "T1", "P1", 6, "playlist_items", "$"),
        ("playlist_items", "local_file", False, None, "P1", 3, "playlist_items", "$"),
        ("playlist_items", "unavailable_item", False, None, "P1", 1, "playlist_items", "$"),
        ("playlist_items", "unknown_item_type", False, "C1", "P1", 5, "playlist_items", "$"),
        ("playlists", "missing_id", False, None, None, None, "playlists", "$"),
        (
            "track_artists",
            "missing_id",
            False,
            None,
            "T4",
            1,
            "albums",
            "$.tracks.items[0].artists[1]",
        ),
        ("tracks", "missing_id", False, None, "L3", 1, "albums", "$.tracks.items[1]"),
    ],
    key=lambda row: tuple((v is None, str(v)) for v in row),
)

QUARANTINE_COLUMNS = [
    "target_table",
    "reason",
    "is_kept",
    "spotify_id",
    "parent_id",
    "position",
    "source_table",
    "json_path",
]
