"""The generated catalog, without HTTP: determinism, ids, scale, realism, runtime releases.

Covers what the server's answers are made from and what other tests compare them with. How the
server renders and pages it is left to the HTTP tests beside this module.
"""

import time
import unicodedata
from collections import Counter

import numpy as np
import pytest

from spotify_assets.sandbox import Catalog, InvalidId, UnknownId, structure
from spotify_assets.sandbox.ids import ID_LENGTH, Kind, is_well_formed


@pytest.fixture(scope="module")
def demo() -> Catalog:
    return Catalog()


@pytest.fixture(scope="module")
def big() -> Catalog:
    return Catalog(artists=10_000)


def _everything(catalog: Catalog) -> list:
    artists = [catalog.artist(a) for a in catalog.artist_ids()]
    albums = [
        entry.album
        for artist in artists
        for entry in catalog.artist_albums(artist.id)
        if entry.group != "appears_on"
    ]
    tracks = [track for album in albums for track in catalog.album_tracks(album.id)]
    playlists = [catalog.playlist(p) for p in catalog.playlist_ids()]
    items = [item for p in catalog.playlist_ids() for item in catalog.playlist_items(p)]
    return [artists, albums, tracks, playlists, items]


def test_same_seed_and_size_give_the_same_catalog(demo):
    assert _everything(Catalog(seed=demo.seed, artists=demo.size)) == _everything(demo)


def test_another_seed_gives_another_catalog(demo):
    other = Catalog(seed=demo.seed + 1)
    assert set(other.artist_ids()).isdisjoint(demo.artist_ids())
    assert [other.artist(a).name for a in other.artist_ids()] != [
        demo.artist(a).name for a in demo.artist_ids()
    ]


def test_ids_are_spotify_shaped_and_decode_to_what_they_name(demo):
    for artist_id in demo.artist_ids():
        assert len(artist_id) == ID_LENGTH and is_well_formed(artist_id)
        assert demo.artist(artist_id).id == artist_id
    album = demo.artist_albums(demo.artist_ids()[0])[0].album
    track = demo.album_tracks(album.id)[-1]
    assert demo.album(album.id) == album and demo.track(track.id) == track


@pytest.mark.parametrize(
    "bad", ["", "short", "x" * 23, "spotify:artist:0" + "a" * 21, "a" * 21 + "!"]
)
def test_malformed_ids_are_invalid(demo, bad):
    with pytest.raises(InvalidId):
        demo.artist(bad)


def test_well_formed_ids_it_never_issued_are_unknown(demo):
    album_id = demo.artist_albums(demo.artist_ids()[0])[0].album.id
    for unknown in ("A" * 22, "0" * 22, "z" * 22, Catalog(seed=7).artist_ids()[0]):
        with pytest.raises(UnknownId):
            demo.artist(unknown)
    # An id of another kind is unknown too, as on Spotify.
    with pytest.raises(UnknownId):
        demo.artist(album_id)
    with pytest.raises(UnknownId):
        demo.track(album_id)


def test_ten_thousand_artists_start_at_once_and_hold_nothing_unasked():
    started = time.perf_counter()
    catalog = Catalog(artists=10_000)
    ids = catalog.artist_ids()
    artist = catalog.artist(ids[9_999])
    assert time.perf_counter() - started < 3
    assert artist.key == 9_999
    assert len(catalog.album_at) == 0
    assert len(catalog.track_at) == 0


def test_about_ten_albums_per_artist_and_ten_tracks_per_album(big):
    sample = np.arange(0, big.size, 7)
    artists = structure.artists(big.hasher, sample)
    rows, numbers = structure.expand(artists.album_count)
    albums = structure.albums(big.hasher, artists.take(rows), numbers)
    assert 8 <= albums.key.size / sample.size <= 12
    assert 8 <= albums.track_count.mean() <= 12


def test_scalar_and_column_skeletons_agree(big):
    """Lookups build one entity with ints, search whole columns with numpy: same code, same values."""
    sample = np.arange(3, big.size, 997)
    artists = structure.artists(big.hasher, sample)
    rows, numbers = structure.expand(artists.album_count)
    albums = structure.albums(big.hasher, artists.take(rows), numbers)
    rows, numbers = structure.expand(albums.track_count)
    tracks = structure.tracks(big.hasher, albums.take(rows), numbers, big.size)
    for i, key in enumerate(tracks.key.tolist()):
        track = big.track_at(key)
        assert track.popularity == tracks.popularity[i]
        assert len(track.artist_keys) == (2 if tracks.featured[i] >= 0 else 1)
    for i, key in enumerate(albums.key.tolist()):
        album = big.album_at(key)
        assert (album.total_tracks, album.popularity) == (
            albums.track_count[i],
            albums.popularity[i],
        )


def test_featuring_one_guest_agrees_with_the_tracks_featured(big):
    """Discographies look for one guest's spots alone; the tracks' skeleton names every guest."""
    artists = structure.artists(big.hasher, np.arange(0, big.size, 7))
    rows, numbers = structure.expand(artists.album_count)
    albums = structure.albums(big.hasher, artists.take(rows), numbers)
    rows, numbers = structure.expand(albums.track_count)
    tracks = structure.tracks(big.hasher, albums.take(rows), numbers, big.size, named=False)
    guests = np.unique(tracks.featured[tracks.featured >= 0])
    assert len(guests) > 100
    for guest in [*guests[::40].tolist(), 0, int(artists.key[3])]:
        spots = structure.featuring(
            big.hasher, tracks.album, tracks.artist, numbers, big.size, guest
        )
        assert (spots == (tracks.featured == guest)).all()


def test_tracks_made_together_equal_tracks_made_one_by_one():
    """A playlist page's tracks, and an album's track list, are made in one vectorised pass."""
    together, alone = Catalog(artists=10_000), Catalog(artists=10_000)
    keys = [
        item.key
        for playlist in range(40)
        for item in together.playlist_items_at(playlist)
        if item.kind == "track"
    ]
    together.prefetch_tracks(keys)
    assert len(together.track_at) == len(set(keys)) > 1_000
    for key in keys:
        track = together.track_at(key)
        assert track == alone.track_at(key)
        assert together.album_at(track.album_key) == alone.album_at(track.album_key)
    album = Catalog(artists=10_000).album_at(together.track_at(keys[0]).album_key)
    assert Catalog(artists=10_000).tracks_of(album.key) == [
        alone.track_at((album.key << structure.TRACK_BITS) | number)
        for number in range(album.total_tracks)
    ]


def test_albums_made_together_equal_albums_made_one_by_one():
    """A discography page's albums (the artist's own and those they appear on) are made together."""
    together, alone = Catalog(artists=10_000), Catalog(artists=10_000)
    keys = [key for artist in range(0, 10_000, 499) for key, _ in together.discography(artist)]
    together.prefetch_albums(keys)
    assert len(together.album_at) == len(set(keys)) > 100
    assert [together.album_at(key) for key in keys] == [alone.album_at(key) for key in keys]


def test_artists_made_together_equal_artists_made_one_by_one():
    together, alone = Catalog(artists=10_000), Catalog(artists=10_000)
    keys = list(range(0, 10_000, 97))
    together.prefetch_artists(keys)
    assert len(together.artist_at) == len(keys)
    assert [together.artist_at(key) for key in keys] == [alone.artist_at(key) for key in keys]


def test_ids_encoded_together_equal_ids_encoded_one_by_one(big):
    """Above a page's worth, ids are encoded in one numpy pass (base 62 of 128 bits included)."""
    for kind in Kind:
        keys = np.array([0, 1, 61, 62, 3843, (1 << 56) - 1, *range(5, 50_000, 997)], dtype=np.int64)
        assert big.codec.encode_many(kind, keys) == [
            big.codec.encode(kind, key) for key in keys.tolist()
        ]


def test_popularity_and_followers_are_skewed(big):
    artists = [big.artist_at(key) for key in range(0, big.size, 10)]
    popularity = sorted(a.popularity for a in artists)
    followers = sorted(a.followers for a in artists)
    assert popularity[len(popularity) // 2] < 40 < popularity[int(len(popularity) * 0.95)]
    # Heavy tail: the top 1% of artists have orders of magnitude more followers than the median.
    assert followers[int(len(followers) * 0.99)] > 100 * followers[len(followers) // 2]


def test_discographies_span_groups_decades_and_date_precisions(big):
    entries = [
        e for key in range(0, big.size, 50) for e in big.artist_albums(big.artist_ids()[key])
    ]
    groups = Counter(e.group for e in entries)
    assert set(groups) == {"album", "single", "compilation", "appears_on"}
    own = [e.album for e in entries if e.group != "appears_on"]
    assert {a.album_type for a in own} == {"album", "single", "compilation"}
    assert {a.release_date_precision for a in own} == {"year", "month", "day"}
    assert any(a.release_date == "0000" for a in own)
    decades = {a.year // 10 * 10 for a in own if a.year}
    assert {1960, 1980, 2000, 2020} <= decades
    for album in own:
        length = {"year": 4, "month": 7, "day": 10}[album.release_date_precision]
        assert len(album.release_date) == length


def test_featurings_form_a_collaboration_network(demo):
    """Every guest appearance is listed on the guest's page as appears_on, and only those."""
    guest_albums: dict[str, set[str]] = {a: set() for a in demo.artist_ids()}
    for artist_id in demo.artist_ids():
        for entry in demo.artist_albums(artist_id, ["album", "single", "compilation"]):
            for track in demo.album_tracks(entry.album.id):
                for guest in track.artist_ids[1:]:
                    assert guest != artist_id
                    guest_albums[guest].add(entry.album.id)
    for artist_id, albums in guest_albums.items():
        listed = {e.album.id for e in demo.artist_albums(artist_id, ["appears_on"])}
        assert listed == albums
    assert sum(1 for albums in guest_albums.values() if albums) > len(guest_albums) // 2


def test_tracks_carry_realistic_detail(demo):
    tracks = [
        t
        for a in demo.artist_ids()[:6]
        for e in demo.artist_albums(a)
        for t in demo.album_tracks(e.album.id)
    ]
    assert any(t.explicit for t in tracks) and not all(t.explicit for t in tracks)
    assert {t.disc_number for t in tracks} == {1, 2}
    assert all(60_000 < t.duration_ms < 600_000 for t in tracks)
    assert all(len(t.isrc) == 12 and t.isrc[:2].isalpha() for t in tracks)


def test_names_mix_accents_cjk_and_emoji(demo):
    artists, albums, tracks, _, _ = _everything(demo)
    names = [x.name for x in artists + albums + tracks]

    def has(predicate) -> bool:
        return any(
            predicate(char) for name in names for char in unicodedata.normalize("NFKD", name)
        )

    assert has(unicodedata.combining)
    assert has(lambda char: "\u3040" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af")
    assert has(lambda char: ord(char) >= 0x1F300)


def test_playlists_have_owners_and_every_kind_of_entry(demo):
    playlists = [demo.playlist(p) for p in demo.playlist_ids()]
    owners = {p.owner.id for p in playlists}
    assert demo.own_user.id in owners and len(owners) >= 3
    kinds = Counter(i.kind for p in playlists for i in demo.playlist_items(p.id))
    assert kinds["track"] > kinds["episode"] > 0
    assert kinds["unavailable"] > 0 and kinds["local"] > 0
    for playlist in playlists:
        for item in demo.playlist_items(playlist.id):
            assert (item.id is None) == (item.kind in ("local", "unavailable"))
            if item.kind == "track":
                assert demo.track(item.id).id == item.id
            if item.kind == "episode":
                assert demo.episode(item.id).show.name
            if item.kind == "local":
                assert item.local is not None and item.local.name


def test_added_album_is_the_artists_newest_release(demo):
    artist_id = demo.artist_ids()[3]
    before = demo.artist_albums(artist_id)
    album_id = demo.add_album(artist_id, name="Brand Néw", album_type="single", total_tracks=2)
    try:
        after = demo.artist_albums(artist_id)
        assert len(after) == len(before) + 1
        singles = [e.album.id for e in after if e.group == "single"]
        assert singles[0] == album_id
        album = demo.album(album_id)
        assert (album.name, album.album_type, album.total_tracks) == ("Brand Néw", "single", 2)
        assert album.release_date_precision == "day"
        assert [t.album_id for t in demo.album_tracks(album_id)] == [album_id, album_id]
        assert album_id in demo.search("brand new", "album")
    finally:
        demo.remove_added_albums()
    with pytest.raises(UnknownId):
        demo.album(album_id)
    assert demo.artist_albums(artist_id) == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"album_type": "ep"}, "album_type must be one of album, single, compilation"),
        ({"release_date": "2026-13-01"}, "release_date must look like YYYY, YYYY-MM or YYYY-MM-DD"),
        ({"total_tracks": 0}, "total_tracks must be between 1 and 127"),
    ],
)
def test_adding_an_album_says_what_is_wrong(demo, fields, message):
    with pytest.raises(ValueError, match=message):
        demo.add_album(demo.artist_ids()[0], **fields)


def test_catalog_size_is_checked():
    with pytest.raises(ValueError, match="artists must be between 1 and 1,000,000"):
        Catalog(artists=0)


def test_episode_ids_only_name_episode_entries(demo):
    playlist = demo.playlist(demo.playlist_ids()[1])
    track_entry = next(i for i in demo.playlist_items(playlist.id) if i.kind == "track")
    entry_key = (playlist.key << structure.PLAYLIST_ITEM_BITS) | track_entry.position
    with pytest.raises(UnknownId):
        demo.episode(demo.codec.encode(Kind.EPISODE, entry_key))
