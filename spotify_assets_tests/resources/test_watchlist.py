"""The watch-list parser (ids, URIs, URLs, search queries; errors with line numbers), reading the
file (unreadable and empty files), its cost in entries, and the resolver that turns search entries
into ids through a client of the in-process sandbox. The same inputs through a bronze step and a sensor tick are in
assets/bronze/test_final_errors.py and test_sensors_inputs.py."""

import re
import sys
from urllib.parse import parse_qs, urlsplit

import pytest

from spotify_assets.resources.credentials import SpotifyCredentials
from spotify_assets.resources.spotify_client import ClientSettings, LiveSpotifyClient
from spotify_assets.sandbox.in_process import InProcessSandbox, InProcessTransport
from spotify_assets.watchlist import (
    WatchEntry,
    WatchListError,
    load_watchlist,
    parse_entries,
    parse_watchlist,
    resolve_watchlist,
    spotify_id,
)
from spotify_assets_tests.fixtures.sandbox import found_first_by_name
from spotify_assets_tests.fixtures.spotify import InProcessSpotify

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


@pytest.mark.parametrize(
    ("section", "text", "message"),
    [
        ("playlists", f"spotify:artist:{ARTIST}", "points to an artist, not to a playlist; list it under `artists:`."),
        ("artists", f"https://open.spotify.com/playlist/{PLAYLIST}", "points to a playlist, not to an artist; list it under `playlists:`."),
        ("artists", f"spotify:track:{ARTIST}", "points to a track, not to an artist; use the artist's own link (Share > Copy link to artist)."),
        ("playlists", f"https://open.spotify.com/album/{ARTIST}", "points to an album, not to a playlist; use the playlist's own link (Share > Copy link to playlist)."),
    ],
)  # fmt: skip
def test_a_uri_of_the_wrong_type_says_where_it_belongs(section, text, message):
    with pytest.raises(WatchListError) as caught:
        parse_watchlist(f"{section}:\n  - {text}\n", source="watchlist.yaml")
    assert str(caught.value) == f"watchlist.yaml line 2: {text!r} {message}"


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
    assert parse_watchlist("artists: ~\nplaylists: null\n") == parse_watchlist("")


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "artists:\nplaylists: []\n"])
def test_a_watch_list_file_that_follows_nothing_is_refused(tmp_path, text):
    path = tmp_path / "watchlist.yaml"
    path.write_text(text)
    with pytest.raises(WatchListError) as caught:
        load_watchlist(path)
    assert str(caught.value) == (
        f"Watch list {path} lists no artists and no playlists; add `- <id, URI, URL or "
        "search: query>` entries under `artists:` or `playlists:`."
    )


@pytest.mark.parametrize(
    "query",
    [
        "Robert'); drop table bronze.artists; --",
        'say "hi" \\ 100% _match_',
        "Guns N' Roses",
        "Sigur Rós",
        "坂本龍一",
        "Beyoncé 🎤",
    ],
)
def test_search_terms_with_sql_metacharacters_quotes_or_unicode_are_kept_verbatim(query):
    quoted = query.replace("'", "''")
    watchlist = parse_watchlist(f"artists:\n  - search: '{quoted}'\n  - 'search: {quoted}'\n")
    assert watchlist.artists == (WatchEntry("search", query, 2, f"search: {query}"),)
    assert parse_entries([f"search: {query}"], type="artist", source="s").artists[0].value == query


@pytest.mark.parametrize(
    "text",
    [f"{ARTIST}'; drop table x; --", f"spotify:artist:{ARTIST[:-1]}'", "0OdUWJ0sBjDrqHygGUXeCé"],
)
def test_ids_carrying_sql_metacharacters_quotes_or_unicode_are_refused(text):
    with pytest.raises(WatchListError, match=re.escape(f"line 2: {text!r} ")):
        parse_watchlist(f'artists:\n  - "{text}"\n', source="watchlist.yaml")


def test_a_quoted_search_string_is_the_search_it_spells():
    watchlist = parse_watchlist(
        "artists:\n  - \"search: Nick Cave\"\n  - search: Nick Cave\n  - 'Search:  Kenji'\n"
    )
    assert watchlist.artists == (
        WatchEntry("search", "Nick Cave", 2, "search: Nick Cave"),
        WatchEntry("search", "Kenji", 4, "search: Kenji"),
    )
    with pytest.raises(WatchListError, match="line 2: `search:` needs a query"):
        parse_watchlist('artists:\n  - "search:"\n')


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            bytes(range(128, 256)),
            "is not UTF-8 text (byte 0x80 at offset 0); it must be a YAML text file, saved as UTF-8.",
        ),
        (None, "is a directory; name the YAML file itself"),
    ],
    ids=["binary", "directory"],
)
def test_a_watch_list_that_is_not_a_text_file_says_so(tmp_path, content, message):
    path = tmp_path / "watchlist.yaml"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    with pytest.raises(WatchListError) as caught:
        load_watchlist(path)
    assert str(caught.value).startswith(f"Watch list {path} {message}")
    assert caught.value.__suppress_context__


def _yaml_of(count: int) -> str:
    return "artists:\n" + "".join(f"  - {number:022d}\n" for number in range(count))


def _python_calls(function) -> int:
    """How many Python function calls (and generator steps) ``function()`` makes."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        calls += event == "call"

    sys.setprofile(count)
    try:
        function()
    finally:
        sys.setprofile(None)
    return calls


def test_parsing_costs_the_same_per_entry_however_long_the_list():
    small, large = (_python_calls(lambda n=n: parse_watchlist(_yaml_of(n))) for n in (1000, 4000))
    # Four times the entries, four times the work; comparing each entry with every earlier one
    # (the old duplicate check) made it about sixteen times.
    assert large < 4.4 * small


@pytest.mark.timeout(30)  # a generous bound: this took about 90 s when parsing was quadratic
def test_fifty_thousand_entries_parse_and_resolve(in_process_spotify: InProcessSpotify):
    text = _yaml_of(50_000) + f"  - {0:022d}\n"  # one duplicate, kept once
    watchlist = parse_watchlist(text)
    assert len(watchlist.artists) == 50_000
    assert watchlist.artists[-1] == WatchEntry("id", f"{49_999:022d}", 50_001, f"{49_999:022d}")
    with in_process_spotify.get_client() as client:
        resolved = resolve_watchlist(watchlist, client=client)
    assert resolved.artist_ids == tuple(f"{n:022d}" for n in range(50_000))


def test_load_from_a_file(tmp_path):
    path = tmp_path / "watchlist.yaml"
    path.write_text("artists:\n  - nope\n")
    with pytest.raises(WatchListError, match=re.escape(f"{path} line 2")):
        load_watchlist(path)
    with pytest.raises(WatchListError, match="does not exist"):
        load_watchlist(tmp_path / "absent.yaml")


class RecordingTransport(InProcessTransport):
    """The in-process sandbox's transport, keeping the URL of every request."""

    def __init__(self, sandbox: InProcessSandbox) -> None:
        super().__init__(sandbox.app, sandbox.base_url)
        self.urls: list[str] = []

    def send(self, request, **kwargs):
        self.urls.append(request.url)
        return super().send(request, **kwargs)


def test_search_entries_resolve_with_one_cheap_call_each(in_process_sandbox: InProcessSandbox):
    artist, artist_name = found_first_by_name(in_process_sandbox.catalog, "artist")
    playlist, playlist_name = found_first_by_name(in_process_sandbox.catalog, "playlist")
    assert in_process_sandbox.catalog.search("nobody at all", "artist") == []
    transport = RecordingTransport(in_process_sandbox)
    client = LiveSpotifyClient(
        credentials=SpotifyCredentials(
            in_process_sandbox.client_id, in_process_sandbox.client_secret
        ),
        settings=ClientSettings(
            api_url=in_process_sandbox.api_url, accounts_url=in_process_sandbox.token_url
        ),
        adapter=transport,
    )
    watchlist = parse_watchlist(
        f"artists:\n  - {ARTIST}\n  - search: {artist_name}\n  - search: nobody at all\n"
        f"playlists:\n  - search: {playlist_name}\n"
    )
    with client:
        resolved = resolve_watchlist(watchlist, client=client)
    assert resolved.artist_ids == (ARTIST, artist)
    assert resolved.playlist_ids == (playlist,)
    assert [(e.value, found) for e, found in resolved.matches] == [
        (artist_name, artist),
        (playlist_name, playlist),
    ]
    assert [e.value for e in resolved.unmatched] == ["nobody at all"]
    api_calls = [urlsplit(url) for url in transport.urls if "/v1/" in url]
    assert [(url.path, parse_qs(url.query)["limit"]) for url in api_calls] == [
        ("/v1/search", ["1"])
    ] * 3


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
