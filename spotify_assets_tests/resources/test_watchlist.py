"""The watch-list parser (ids, URIs, URLs, search queries; errors with line numbers) and the
resolver that turns search entries into ids through a (fake) client."""

import re

import pytest

from spotify_assets.resources.spotify_client import FakeSpotifyClient
from spotify_assets.watchlist import (
    WatchEntry,
    WatchListError,
    load_watchlist,
    parse_entries,
    parse_watchlist,
    resolve_watchlist,
    spotify_id,
)

ARTIST = "0OdUWJ0sBjDrqHygGUXeCF"
PLAYLIST = "37i9dQZF1DXcBWIGoYBM5M"


@pytest.mark.parametrize(
    "text",
    [
        ARTIST,
        f"spotify:artist:{ARTIST}",
        f"https://open.spotify.com/artist/{ARTIST}",
        f"https://open.spotify.com/artist/{ARTIST}?si=4472348a63dd4f83",
        f"https://open.spotify.com/intl-de/artist/{ARTIST}",
        f"https://open.spotify.com/intl-pt-br/artist/{ARTIST}?si=x&nd=1",
        f"http://open.spotify.com/artist/{ARTIST}/",
        f"  {ARTIST}  ",
    ],
)
def test_every_form_of_an_artist_gives_its_id(text):
    assert spotify_id(text, type="artist") == ARTIST


@pytest.mark.parametrize(
    "text",
    [
        PLAYLIST,
        f"spotify:playlist:{PLAYLIST}",
        f"spotify:user:spotify:playlist:{PLAYLIST}",
        f"https://open.spotify.com/playlist/{PLAYLIST}?si=abc",
        f"https://open.spotify.com/user/someone/playlist/{PLAYLIST}",
        f"https://open.spotify.com/embed/playlist/{PLAYLIST}",
    ],
)
def test_every_form_of_a_playlist_gives_its_id(text):
    assert spotify_id(text, type="playlist") == PLAYLIST


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Radiohead", "to search for it write `- search: Radiohead`"),
        (f"spotify:album:{ARTIST}", "points to an album, not to an artist"),
        (f"https://open.spotify.com/track/{ARTIST}", "points to a track, not to an artist"),
        (f"https://example.com/artist/{ARTIST}", "not an open.spotify.com URL"),
        ("https://open.spotify.com/artist/short", "malformed id 'short'"),
        (f"spotify:artist:{ARTIST}x", "malformed id"),
        (ARTIST[:21], "is not a Spotify artist id"),
        ("https://open.spotify.com/artist", "expected /artist/<id>"),
    ],
)
def test_bad_entries_say_what_is_wrong(text, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        spotify_id(text, type="artist")


def test_a_full_watch_list_with_lines():
    watchlist = parse_watchlist(
        f"""# what we follow
artists:
  - {ARTIST}
  - spotify:artist:{ARTIST}          # the same artist again: kept once
  - search: Nick Cave
  - https://open.spotify.com/intl-fr/artist/4Z8W4fKeB5YxbusRsdQVPb?si=1
playlists:
  - https://open.spotify.com/playlist/{PLAYLIST}
  - search: "deep focus"
""",
        source="watchlist.yaml",
    )
    assert watchlist.artists == (
        WatchEntry("id", ARTIST, 3, ARTIST),
        WatchEntry("search", "Nick Cave", 5, "search: Nick Cave"),
        WatchEntry(
            "id",
            "4Z8W4fKeB5YxbusRsdQVPb",
            6,
            "https://open.spotify.com/intl-fr/artist/4Z8W4fKeB5YxbusRsdQVPb?si=1",
        ),
    )
    assert [(e.kind, e.value, e.line) for e in watchlist.playlists] == [
        ("id", PLAYLIST, 8),
        ("search", "deep focus", 9),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "artists:\n  - Radiohead\n",
            "watchlist.yaml line 2: 'Radiohead' is not a Spotify artist id",
        ),
        (
            f"artists:\n  - {ARTIST}\nplaylists:\n  - spotify:artist:{ARTIST}\n",
            f"watchlist.yaml line 4: 'spotify:artist:{ARTIST}' points to an artist, not to a playlist",
        ),
        (
            "artists:\n  - {name: x}\n",
            "line 2: an entry that is a mapping must be `search: <query>`",
        ),
        ("artists:\n  - search: '  '\n", "line 2: `search:` needs a query"),
        (
            "artists:\n  -\n",
            "line 2: expected an artist id, URI, URL or `search: <query>`, found nothing",
        ),
        ("artists:\n  - [a, b]\n", "line 2: expected an artist id"),
        ("albums:\n  - x\n", "watchlist.yaml line 1: unknown section 'albums'"),
        ("artists: Radiohead\n", "line 1: `artists:` must be a list"),
        ("- a\n- b\n", "line 1: expected `artists:` and/or `playlists:` lists"),
        ("artists:\n  - [unclosed\n", "watchlist.yaml line 3: not valid YAML"),
    ],
)
def test_a_bad_entry_fails_naming_it_and_its_line(text, message):
    with pytest.raises(WatchListError) as caught:
        parse_watchlist(text, source="watchlist.yaml")
    assert message in str(caught.value)


def test_empty_sections_and_files_are_empty_watch_lists():
    assert parse_watchlist("").artists == ()
    assert parse_watchlist("artists:\nplaylists: []\n").playlists == ()


def test_load_from_a_file(tmp_path):
    path = tmp_path / "watchlist.yaml"
    path.write_text("artists:\n  - nope\n")
    with pytest.raises(WatchListError, match=f"{path} line 2"):
        load_watchlist(path)
    with pytest.raises(WatchListError, match="does not exist"):
        load_watchlist(tmp_path / "absent.yaml")


def test_search_entries_resolve_with_one_cheap_call_each():
    client = FakeSpotifyClient(
        search={
            "artist": {"nick cave": [{"id": "4Z8W4fKeB5YxbusRsdQVPb"}, {"id": "x" * 22}]},
            "playlist": {"deep focus": [{"id": PLAYLIST}]},
        }
    )
    watchlist = parse_watchlist(
        f"artists:\n  - {ARTIST}\n  - search: Nick Cave\n  - search: nobody at all\n"
        "playlists:\n  - search: Deep Focus\n"
    )
    resolved = resolve_watchlist(watchlist, client=client)
    assert resolved.artist_ids == (ARTIST, "4Z8W4fKeB5YxbusRsdQVPb")
    assert resolved.playlist_ids == (PLAYLIST,)
    assert [(e.value, found) for e, found in resolved.matches] == [
        ("Nick Cave", "4Z8W4fKeB5YxbusRsdQVPb"),
        ("Deep Focus", PLAYLIST),
    ]
    assert [e.value for e in resolved.unmatched] == ["nobody at all"]
    assert [(label, params["limit"]) for label, params in client.calls] == [("GET /search", 1)] * 3


def test_run_config_entries_parse_like_file_entries() -> None:
    scope = parse_entries(
        ["spotify:playlist:37i9dQZF1DXcBWIGoYBM5M", "search: deep focus", "search: deep focus"],
        type="playlist",
        source="the run's scope",
    )
    assert [(e.kind, e.value, e.line) for e in scope.playlists] == [
        ("id", "37i9dQZF1DXcBWIGoYBM5M", 1),
        ("search", "deep focus", 2),
    ]
    assert scope.artists == ()


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (
            ["4Z8W4fKeB5YxbusRsdQVPb", "Nick Cave"],
            "the run's scope entry 2: 'Nick Cave' is not a Spotify artist id",
        ),
        (["search:   "], "the run's scope entry 1: `search:` needs a query"),
        (
            [""],
            "the run's scope entry 1: expected an artist id, URI, URL or `search: <query>`, found nothing",
        ),
    ],
)
def test_bad_run_config_entries_name_their_place(texts: list[str], message: str) -> None:
    with pytest.raises(WatchListError, match=re.escape(message)):
        parse_entries(texts, type="artist", source="the run's scope")
