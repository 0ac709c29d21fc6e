"""Search semantics: words and field filters, checked against a brute-force scan of the catalog.

The server answers from numpy columns (spotify_assets.sandbox.search); this module recomputes
the same answers entity by entity from the catalog's records, so the two can only agree if both
are right. Paging through search results is in test_paging.
"""

import pytest

from spotify_assets.sandbox import Catalog, structure
from spotify_assets.sandbox.search import fold, parse
from spotify_assets_tests.sandbox.client import ApiClient


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(artists=60)


@pytest.fixture(scope="module")
def everything(catalog) -> dict[str, list]:
    artists = [catalog.artist(a) for a in catalog.artist_ids()]
    albums = [
        e.album for a in artists for e in catalog.artist_albums(a.id) if e.group != "appears_on"
    ]
    tracks = [t for album in albums for t in catalog.album_tracks(album.id)]
    playlists = [catalog.playlist(p) for p in catalog.playlist_ids()]
    return {"artist": artists, "album": albums, "track": tracks, "playlist": playlists}


def _contains_all(text: str, words: tuple[str, ...]) -> bool:
    return all(word in fold(text) for word in words)


def _brute_force(catalog: Catalog, everything, query: str, kind: str) -> list[str]:
    parsed = parse(query)
    filters, years = parsed.filters, parsed.years

    def in_years(year: int) -> bool:
        return years is None or years[0] <= year <= years[1]

    def by_artist(artist_ids) -> bool:
        """The artist filter: one of the artists has every word in their name."""
        return any(_contains_all(catalog.artist(a).name, filters["artist"]) for a in artist_ids)

    if kind == "artist":

        def matches(a):
            return (
                _contains_all(a.name, parsed.words + filters["artist"])
                and _contains_all(" / ".join(a.genres), filters["genre"])
                and in_years(structure.artists(catalog.hasher, a.key).debut)
                and not filters["album"]
                and not filters["track"]
            )

        rank = lambda a: a.popularity  # noqa: E731
    elif kind == "album":

        def matches(a):
            return (
                _contains_all(a.name, parsed.words + filters["album"])
                and by_artist(a.artist_ids)
                and in_years(a.year)
                and not filters["genre"]
                and not filters["track"]
            )

        rank = lambda a: a.popularity  # noqa: E731
    elif kind == "track":

        def matches(t):
            album = catalog.album(t.album_id)
            return (
                _contains_all(t.name, parsed.words + filters["track"])
                and by_artist(t.artist_ids)
                and _contains_all(album.name, filters["album"])
                and in_years(album.year)
                and _contains_all(
                    " / ".join(catalog.artist(t.artist_ids[0]).genres), filters["genre"]
                )
            )

        rank = lambda t: t.popularity  # noqa: E731
    else:

        def matches(p):
            return (
                _contains_all(p.name, parsed.words) and not any(filters.values()) and years is None
            )

        rank = lambda p: p.followers  # noqa: E731
    found = [x for x in everything[kind] if matches(x) and not parsed.bad_years]
    return [x.id for x in sorted(found, key=lambda x: (-rank(x), x.key))]


QUERIES = [
    "a", "love", "LOVE", "cafe", "Café", "dream night", "夜", "🌊", "artist:nikolai",
    'artist:"amélie moreau"', "year:2020", "year:1990-1999", "year:nineties", "genre:rock",
    'genre:"hip hop"', "album:summer", "track:fire", "love artist:a year:2000-2025",
    "isrc:USABC", "tag:new", "album:blue year:2010-2025 genre:pop",
]  # fmt: skip


@pytest.mark.parametrize("kind", ["artist", "album", "track", "playlist"])
def test_search_matches_a_brute_force_scan(catalog, everything, kind):
    nonempty = 0
    for query in QUERIES:
        expected = _brute_force(catalog, everything, query, kind)
        assert catalog.search(query, kind) == expected, query
        nonempty += bool(expected)
    assert nonempty >= 3


def test_filters_narrow_plain_words(catalog):
    plain = set(catalog.search("a", "track"))
    narrowed = set(catalog.search("a year:2000-2010", "track"))
    assert narrowed and narrowed < plain


def test_accents_and_case_do_not_matter(catalog):
    assert catalog.search("cafe", "track") == catalog.search("CAFÉ", "track") != []


def test_filters_that_cannot_apply_find_nothing(catalog):
    assert catalog.search("album:summer", "artist") == []
    assert catalog.search("genre:pop", "album") == []
    assert catalog.search("a year:2020", "playlist") == []


def test_quoted_phrases_and_ranges_parse(catalog):
    query = parse('"deep  blue" artist:"Amélie Moreau" year:1990-1999 isrc:X')
    assert query.words == ("deep", "blue", "isrc:x")
    assert query.filters["artist"] == ("amelie", "moreau")
    assert query.years == (1990, 1999) and not query.bad_years


def test_the_server_answers_what_the_catalog_finds(sandbox):
    client = ApiClient(sandbox)
    for query in ("a", "love year:2000-2025", "genre:pop"):
        body = client.json("/search", q=query, type="artist,track", limit=50)
        for kind in ("artist", "track"):
            assert [i["id"] for i in body[f"{kind}s"]["items"]] == sandbox.catalog.search(
                query, kind
            )[:50]
    empty = client.json("/search", q="a", type="show,episode,audiobook")
    assert {k: v["total"] for k, v in empty.items()} == {"shows": 0, "episodes": 0, "audiobooks": 0}
