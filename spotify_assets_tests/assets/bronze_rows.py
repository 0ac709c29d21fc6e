"""Hand-made bronze rows for testing SQL assets in isolation.

Builders return Spotify-shaped objects (just the fields silver reads, keyed as the API keys them);
``development`` strips what development-mode apps no longer receive, as the sandbox does; and
``write_bronze`` stores records in tables following the bronze contract (``BRONZE_COLUMNS``), so a
test states its fixture as a few lines of Python and asserts exact silver rows.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from spotify_assets.assets.bronze import bronze_assets
from spotify_assets.assets.bronze.bronze_records import BRONZE_COLUMNS, BronzeRecord
from spotify_assets.io_managers.postgres import client
from spotify_assets.io_managers.postgres.client import TableSlice
from spotify_assets.warehouse.connection import PostgresResource

BRONZE_TABLES = tuple(asset.key.path[-1] for asset in bronze_assets)
# Each table's latest_key: what the IO manager's pointer to the latest version is keyed by.
LATEST_KEYS = {
    asset.key.path[-1]: getattr(value, "value", value)
    for asset in bronze_assets
    for value in [asset.metadata_by_key[asset.key]["latest_key"]]
}
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
MARKETS = ["DE", "FR", "US"]

# Fields development-mode apps no longer receive, by object type (SPOTIFY_API.md section 1).
# Playlist followers are not in that list (nor removed by the sandbox), but the bronze contract
# treats them as absent in development mode; silver must cope either way.
DEVELOPMENT_MODE_REMOVED = {
    "artist": {"followers", "popularity", "genres"},
    "album": {"album_group", "available_markets", "label", "popularity"},
    "track": {"available_markets", "linked_from", "popularity"},
    "playlist": {"followers"},
}

_ENDPOINTS = {
    "artists": "/artists/{id}",
    "artist_albums": "/artists/{id}/albums",
    "albums": "/albums/{id}",
    "album_tracks": "/albums/{id}/tracks",
    "tracks": "/tracks/{id}",
    "playlists": "/playlists/{id}",
    "playlist_items": "/playlists/{id}/items",
}


def at(days: int = 0) -> dt.datetime:
    """A fetch time ``days`` after the fixture's epoch."""
    return T0 + dt.timedelta(days=days)


# -- Spotify objects ------------------------------------------------------------------------------


def simple_artist(artist_id: str | None, name: str) -> dict[str, Any]:
    return {"id": artist_id, "name": name, "type": "artist", "uri": f"spotify:artist:{artist_id}"}


def artist(
    artist_id: str | None,
    name: str,
    *,
    followers: int = 1000,
    popularity: int = 50,
    genres: Sequence[str] = ("pop",),
) -> dict[str, Any]:
    return {
        **simple_artist(artist_id, name),
        "followers": {"href": None, "total": followers},
        "genres": list(genres),
        "popularity": popularity,
    }


def simple_track(
    track_id: str | None,
    name: str,
    artists: Sequence[Mapping[str, Any]],
    *,
    duration_ms: int = 200_000,
    explicit: bool = False,
    track_number: int = 1,
    disc_number: int = 1,
) -> dict[str, Any]:
    return {
        "artists": [dict(a) for a in artists],
        "available_markets": list(MARKETS),
        "disc_number": disc_number,
        "duration_ms": duration_ms,
        "explicit": explicit,
        "id": track_id,
        "is_local": False,
        "name": name,
        "track_number": track_number,
        "type": "track",
        "uri": f"spotify:track:{track_id}",
    }


def simple_album(
    album_id: str | None,
    name: str,
    artists: Sequence[Mapping[str, Any]],
    *,
    album_type: str = "album",
    release_date: str | None = "2020-05-17",
    precision: str | None = "day",
    total_tracks: int = 1,
    album_group: str | None = None,
) -> dict[str, Any]:
    body = {
        "album_type": album_type,
        "total_tracks": total_tracks,
        "available_markets": list(MARKETS),
        "id": album_id,
        "name": name,
        "release_date": release_date,
        "release_date_precision": precision,
        "type": "album",
        "uri": f"spotify:album:{album_id}",
        "artists": [dict(a) for a in artists],
    }
    if album_group is not None:
        body["album_group"] = album_group
    return body


def album(
    album_id: str | None,
    name: str,
    artists: Sequence[Mapping[str, Any]],
    tracks: Sequence[Mapping[str, Any]],
    *,
    total_tracks: int | None = None,
    label: str = "Label",
    popularity: int = 40,
    upc: str = "00000000001",
    **simple: Any,
) -> dict[str, Any]:
    """A full album embedding ``tracks`` as its first page; ``total_tracks`` may exceed it."""
    total = len(tracks) if total_tracks is None else total_tracks
    return {
        **simple_album(album_id, name, artists, total_tracks=total, **simple),
        "external_ids": {"upc": upc},
        "genres": [],
        "label": label,
        "popularity": popularity,
        "tracks": {
            "href": f"https://api.spotify.com/v1/albums/{album_id}/tracks",
            "items": [dict(t) for t in tracks],
            "limit": 50,
            "next": None,
            "offset": 0,
            "previous": None,
            "total": total,
        },
    }


def track(
    track_id: str | None,
    name: str,
    artists: Sequence[Mapping[str, Any]],
    on_album: Mapping[str, Any],
    *,
    isrc: str = "USXXX2600001",
    popularity: int = 60,
    **simple: Any,
) -> dict[str, Any]:
    """A full track; ``on_album`` is its simplified album."""
    return {
        "album": dict(on_album),
        **simple_track(track_id, name, artists, **simple),
        "external_ids": {"isrc": isrc},
        "popularity": popularity,
    }


def playlist(
    playlist_id: str | None,
    name: str,
    total: int,
    *,
    followers: int = 10,
    owner: str = "owner1",
    snapshot_id: str = "snap1",
) -> dict[str, Any]:
    refs = {"href": f"https://api.spotify.com/v1/playlists/{playlist_id}/items", "total": total}
    return {
        "collaborative": False,
        "description": f"About {name}",
        "followers": {"href": None, "total": followers},
        "id": playlist_id,
        "name": name,
        "owner": {"display_name": owner.title(), "id": owner, "type": "user"},
        "public": True,
        "snapshot_id": snapshot_id,
        "type": "playlist",
        "items": refs,
        "tracks": dict(refs),
    }


def entry(
    item: Mapping[str, Any] | None,
    *,
    added_at: str = "2025-03-01T12:00:00Z",
    is_local: bool = False,
) -> dict[str, Any]:
    """A playlist entry as 2026 bodies carry it: the object under both ``item`` and ``track``."""
    return {
        "added_at": added_at,
        "added_by": {"id": "adder", "type": "user"},
        "is_local": is_local,
        "item": None if item is None else dict(item),
        "track": None if item is None else dict(item),
    }


def episode(episode_id: str, name: str) -> dict[str, Any]:
    return {
        "duration_ms": 1_800_000,
        "explicit": False,
        "id": episode_id,
        "name": name,
        "release_date": "2025-01-01",
        "release_date_precision": "day",
        "type": "episode",
        "uri": f"spotify:episode:{episode_id}",
    }


def local_track(name: str) -> dict[str, Any]:
    return {
        "album": {"id": None, "name": "Home Recordings", "type": "album", "artists": []},
        "artists": [{"id": None, "name": "Me", "type": "artist"}],
        "duration_ms": 120_000,
        "explicit": False,
        "id": None,
        "is_local": True,
        "name": name,
        "type": "track",
        "uri": f"spotify:local:Me:Home+Recordings:{name}:120",
    }


def development(obj: Any) -> Any:
    """``obj`` as a development-mode app receives it: the removed fields are absent, not null."""
    if isinstance(obj, list):
        return [development(value) for value in obj]
    if not isinstance(obj, dict):
        return obj
    removed = DEVELOPMENT_MODE_REMOVED.get(obj.get("type"), set())
    return {key: development(value) for key, value in obj.items() if key not in removed}


# -- records --------------------------------------------------------------------------------------


def record(
    table: str,
    response: Mapping[str, Any],
    *,
    fetched_at: dt.datetime = T0,
    parent_id: str | None = None,
    position: int | None = None,
) -> BronzeRecord:
    """One bronze record as the bronze assets store it (spotify_id from the object or its item)."""
    if table == "playlist_items":
        item = response.get("item") or response.get("track")
        spotify_id = None if not item or item.get("is_local") else item.get("id")
    else:
        spotify_id = response.get("id")
    return BronzeRecord(
        response=response,
        spotify_id=spotify_id,
        endpoint=_ENDPOINTS[table],
        params={"id": parent_id or spotify_id, "market": "US"},
        fetched_at=fetched_at,
        parent_id=parent_id,
        position=position,
    )


def create_bronze_tables(postgres: PostgresResource, tables: Iterable[str] = BRONZE_TABLES) -> None:
    """The bronze ``tables`` (by default all), empty, as they exist once bronze has run."""
    schema = postgres.schema("bronze")
    postgres.ensure_schema(schema)
    definitions = sql.SQL(", ").join(
        sql.SQL("{} {}{}").format(
            sql.Identifier(col.name),
            sql.SQL(col.type),
            sql.SQL("" if col.constraints.nullable else " not null")
            + sql.SQL(" unique" if col.constraints.unique else ""),
        )
        for col in BRONZE_COLUMNS.columns
    )
    with postgres.get_connection() as conn:
        for table in tables:
            conn.execute(
                sql.SQL("create table if not exists {} ({})").format(
                    sql.Identifier(schema, table), definitions
                )
            )
            conn.execute(client.create_latest_statement(TableSlice(schema, table)))


def point_to_latest(postgres: PostgresResource, tables: Iterable[str]) -> None:
    """Point each table's ``__latest`` table at its latest versions, as the IO manager does on
    writing, after rows were inserted by hand."""
    with postgres.get_connection() as conn:
        for table in tables:
            slice_ = TableSlice(postgres.schema("bronze"), table)
            conn.execute(client.upsert_latest_statement(slice_, LATEST_KEYS[table], None))


def write_bronze(
    postgres: PostgresResource,
    rows: Mapping[str, Iterable[BronzeRecord]],
    *,
    load_id: str = "test-run",
    tables: Iterable[str] = BRONZE_TABLES,
) -> None:
    """Create the bronze ``tables`` (by default all) if needed and append ``rows`` (table -> records)."""
    create_bronze_tables(postgres, tables)
    names = [col.name for col in BRONZE_COLUMNS.columns]
    with postgres.get_connection() as conn, conn.cursor() as cursor:
        for table, records in rows.items():
            insert = sql.SQL("insert into {} ({}) values ({}) on conflict do nothing").format(
                sql.Identifier(postgres.schema("bronze"), table),
                sql.SQL(", ").join(map(sql.Identifier, names)),
                sql.SQL(", ").join(sql.Placeholder() * len(names)),
            )
            cursor.executemany(
                insert,
                [
                    (
                        r.spotify_id,
                        r.parent_id,
                        r.position,
                        r.endpoint,
                        Jsonb(dict(r.params)),
                        r.fetched_at,
                        load_id,
                        r.content_hash,
                        Jsonb(dict(r.response)),
                    )
                    for r in records
                ],
            )
    point_to_latest(postgres, rows)


def select_rows(
    postgres: PostgresResource, layer: str, table: str, columns: Sequence[str] | None = None
) -> list[tuple]:
    """The table's rows ordered by every selected column, for exact comparisons."""
    with postgres.get_connection() as conn:
        chosen = sql.SQL(", ").join(map(sql.Identifier, columns)) if columns else sql.SQL("*")
        cursor = conn.execute(
            sql.SQL("select {} from {}").format(
                chosen, sql.Identifier(postgres.schema(layer), table)
            )
        )
        return sorted(cursor.fetchall(), key=lambda row: tuple((v is None, str(v)) for v in row))
