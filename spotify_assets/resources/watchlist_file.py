"""The watch list: which artists and playlists the pipeline follows, as the user writes them.

A YAML file with two lists::

    artists:
      - 4Z8W4fKeB5YxbusRsdQVPb                                  # a Spotify id
      - spotify:artist:0OdUWJ0sBjDrqHygGUXeCF                   # a URI
      - https://open.spotify.com/intl-de/artist/3WrFJ7ztbogyGnTHbHJFl2?si=x   # a URL
      - search: Nick Cave                                       # the best search match
    playlists:
      - spotify:playlist:37i9dQZF1DXcBWIGoYBM5M
      - search: deep focus

A bad entry fails with a message naming it and its line. Search entries become ids through the
client with the cheapest call there is (one search result).
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml

from spotify_assets.resources.spotify_client import SpotifyClient

SpotifyType = Literal["artist", "playlist"]
SECTIONS: dict[str, SpotifyType] = {"artists": "artist", "playlists": "playlist"}

_ID = re.compile(r"[0-9A-Za-z]{22}")
_URI = re.compile(r"spotify:(?:user:[^:\s]+:)?([a-z]+):([^:\s]+)")
_URL_HOSTS = {"open.spotify.com", "play.spotify.com"}
_LOCALE = re.compile(r"intl-[a-z]{2}(?:-[a-z]{2})?", re.IGNORECASE)
# libyaml's parser, ten times faster than the pure-Python one (a watch list is read by every bronze
# step and every sensor tick; PyYAML's wheels ship it, source builds may lack it). The base loader
# leaves every scalar the string the user wrote: guessing types is the slowest part and no entry
# needs it; only an empty section is told apart, by the plain spellings of YAML's null.
YAML_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


class WatchListError(ValueError):
    """A watch list that cannot be used; the message names the file, the line and the entry."""


@dataclass(frozen=True)
class WatchEntry:
    """One entry: a Spotify ``id`` (however it was written) or a ``search`` query."""

    kind: Literal["id", "search"]
    value: str
    line: int
    text: str


@dataclass(frozen=True)
class WatchList:
    artists: tuple[WatchEntry, ...]
    playlists: tuple[WatchEntry, ...]
    source: str = "<watch list>"

    def entries(self, type: SpotifyType) -> tuple[WatchEntry, ...]:
        return self.artists if type == "artist" else self.playlists


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def spotify_id(text: str, *, type: SpotifyType) -> str:
    """The id in a Spotify id, URI or open.spotify.com URL of the given type.

    Raises:
        ValueError: with a sentence saying what is wrong and what would be right.
    """
    value = text.strip()
    if _ID.fullmatch(value):
        return value
    found: tuple[str, str] | None = None
    if match := _URI.fullmatch(value):
        found = (match.group(1), match.group(2))
    elif value.lower().startswith(("https://", "http://")):
        parts = urlsplit(value)
        if (parts.hostname or "").lower() not in _URL_HOSTS:
            raise ValueError(f"is not an open.spotify.com URL (host {parts.hostname or 'missing'})")
        segments = [s for s in parts.path.split("/") if s]
        segments = [s for s in segments if not _LOCALE.fullmatch(s) and s != "embed"]
        if len(segments) == 4 and segments[0] == "user":
            segments = segments[2:]
        if len(segments) != 2:
            raise ValueError(f"is not a link to a Spotify {type} (expected /{type}/<id>)")
        found = (segments[0], segments[1])
    if found is None:
        raise ValueError(
            f"is not a Spotify {type} id (22 letters and digits), spotify:{type}: URI or "
            f"https://open.spotify.com/{type}/ URL; to search for it write `- search: {value}`"
        )
    found_type, found_id = found
    if found_type != type:
        fix = (
            f"list it under `{found_type}s:`"
            if found_type in SECTIONS.values()
            else f"use the {type}'s own link (Share > Copy link to {type})"
        )
        raise ValueError(f"points to {_a(found_type)}, not to {_a(type)}; {fix}")
    if not _ID.fullmatch(found_id):
        raise ValueError(f"has a malformed id {found_id!r} (a Spotify id is 22 letters and digits)")
    return found_id


def _search_entry(query: str, *, line: int, at: str) -> WatchEntry:
    query = query.strip()
    if not query:
        raise WatchListError(f"{at}: `search:` needs a query.")
    return WatchEntry("search", query, line, f"search: {query}")


def _text_entry(text: str, *, type: SpotifyType, line: int, at: str) -> WatchEntry:
    """An entry written as one string: an id, URI or URL, or ``search: <query>``.

    The string form of a search is what run config and sensors pass, so a quoted
    ``- "search: foo"`` in the file means the same search, not an id called "search: foo".
    """
    text = text.strip()
    if text.lower().startswith("search:"):
        return _search_entry(text.split(":", 1)[1], line=line, at=at)
    if not text:
        raise WatchListError(
            f"{at}: expected {_a(type)} id, URI, URL or `search: <query>`, found nothing."
        )
    try:
        return WatchEntry("id", spotify_id(text, type=type), line, text)
    except ValueError as exc:
        raise WatchListError(f"{at}: {text!r} {exc}.") from None


def _distinct(entries: Iterable[WatchEntry]) -> tuple[WatchEntry, ...]:
    """Each meaning (an id or a query) once, where it first appears."""
    first: dict[tuple[str, str], WatchEntry] = {}
    for entry in entries:
        first.setdefault((entry.kind, entry.value), entry)
    return tuple(first.values())


def _entry(node: yaml.Node, *, type: SpotifyType, where: str) -> WatchEntry:
    line = node.start_mark.line + 1
    at = f"{where} line {line}"
    if isinstance(node, yaml.MappingNode):
        pairs = [(k.value, v) for k, v in node.value]
        if (
            len(pairs) != 1
            or pairs[0][0] != "search"
            or not isinstance(pairs[0][1], yaml.ScalarNode)
        ):
            keys = ", ".join(str(k) for k, _ in pairs) or "none"
            raise WatchListError(
                f"{at}: an entry that is a mapping must be `search: <query>` (found keys: {keys})."
            )
        return _search_entry(str(pairs[0][1].value), line=line, at=at)
    if not isinstance(node, yaml.ScalarNode):
        raise WatchListError(
            f"{at}: expected {_a(type)} id, URI, URL or `search: <query>`, found a list."
        )
    return _text_entry(str(node.value), type=type, line=line, at=at)


def parse_entries(texts: Sequence[str], *, type: SpotifyType, source: str) -> WatchList:
    """A watch list of one type from plain strings (run config, sensors): ids, URIs, URLs or
    ``search: <query>``; entry ``n`` stands where a file would say line ``n``."""
    entries = _distinct(
        _text_entry(str(raw), type=type, line=number, at=f"{source} entry {number}")
        for number, raw in enumerate(texts, start=1)
    )
    artists = entries if type == "artist" else ()
    return WatchList(artists, entries if type == "playlist" else (), source)


def parse_watchlist(text: str, *, source: str = "<watch list>") -> WatchList:
    """Parse watch-list YAML; duplicates are kept once, in first-seen order."""
    try:
        root = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise WatchListError(f"{source}{at}: not valid YAML ({problem}).") from None
    sections: dict[str, list[WatchEntry]] = {name: [] for name in SECTIONS}
    if root is None:
        return WatchList((), (), source)
    if not isinstance(root, yaml.MappingNode):
        raise WatchListError(
            f"{source} line {root.start_mark.line + 1}: expected `artists:` and/or `playlists:` lists."
        )
    for key, value in root.value:
        name = str(key.value)
        if name not in SECTIONS:
            raise WatchListError(
                f"{source} line {key.start_mark.line + 1}: unknown section {name!r}; use "
                "`artists:` and `playlists:`."
            )
        if isinstance(value, yaml.ScalarNode) and not value.style and value.value in _NULLS:
            continue
        if not isinstance(value, yaml.SequenceNode):
            raise WatchListError(
                f"{source} line {value.start_mark.line + 1}: `{name}:` must be a list (one "
                "`- entry` per line)."
            )
        sections[name] += (_entry(node, type=SECTIONS[name], where=source) for node in value.value)
    return WatchList(_distinct(sections["artists"]), _distinct(sections["playlists"]), source)


def load_watchlist(path: Path | str) -> WatchList:
    """Read and parse the watch-list file. A file that cannot be read, or that follows nothing
    (a run would fetch nothing and say nothing), is a :class:`WatchListError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WatchListError(f"Watch list {path} does not exist.") from None
    except IsADirectoryError:
        raise WatchListError(
            f"Watch list {path} is a directory; name the YAML file itself "
            "(SPOTIFY_ASSETS_WATCHLIST=<folder>/watchlist.yaml)."
        ) from None
    except UnicodeDecodeError as exc:
        raise WatchListError(
            f"Watch list {path} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
            f"{exc.start}); it must be a YAML text file, saved as UTF-8."
        ) from None
    except OSError as exc:
        raise WatchListError(
            f"Watch list {path} cannot be read ({exc.strerror}); check the path and that you may "
            "read it."
        ) from None
    watchlist = parse_watchlist(text, source=str(path))
    if not (watchlist.artists or watchlist.playlists):
        raise WatchListError(
            f"Watch list {path} lists no artists and no playlists; add `- <id, URI, URL or "
            "search: query>` entries under `artists:` or `playlists:`."
        )
    return watchlist


@dataclass(frozen=True)
class ResolvedWatchList:
    """Ids to fetch, and what each search entry turned into (or that it found nothing)."""

    artist_ids: tuple[str, ...]
    playlist_ids: tuple[str, ...]
    matches: tuple[tuple[WatchEntry, str], ...]
    unmatched: tuple[WatchEntry, ...]


def resolve_watchlist(watchlist: WatchList, *, client: SpotifyClient) -> ResolvedWatchList:
    """Turn search entries into ids: one ``search`` call with limit 1 per query."""
    ids: dict[SpotifyType, dict[str, None]] = {"artist": {}, "playlist": {}}
    matches: list[tuple[WatchEntry, str]] = []
    unmatched: list[WatchEntry] = []
    for type in ("artist", "playlist"):
        for entry in watchlist.entries(type):
            found = entry.value
            if entry.kind == "search":
                results = client.search(query=entry.value, type=type, limit=1)
                if not results or not results[0].spotify_id:
                    unmatched.append(entry)
                    continue
                found = results[0].spotify_id
                matches.append((entry, found))
            ids[type][found] = None
    return ResolvedWatchList(
        tuple(ids["artist"]), tuple(ids["playlist"]), tuple(matches), tuple(unmatched)
    )
