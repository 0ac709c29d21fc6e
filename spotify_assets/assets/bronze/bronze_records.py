"""The shape every bronze table shares: one verbatim Spotify object per row, with its provenance.

Bronze is append-only history. A row's ``content_hash`` covers the object and where it was found
(endpoint, parent, position), so re-fetching an unchanged object stores nothing new, while a changed
one (new follower count, album moved in a playlist) adds a row; silver takes the latest per id.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
import pandas as pd
from dagster import TableColumn, TableColumnConstraints, TableSchema

from spotify_assets.warehouse.encoded_json import EncodedJson

BRONZE_COLUMNS = TableSchema(
    columns=[
        TableColumn(
            "spotify_id",
            "text",
            description="Spotify id of the object in `response`; null for playlist entries whose item is "
            "unavailable or a local file.",
        ),
        TableColumn(
            "parent_id",
            "text",
            description="Id of the container the object was listed in: the artist for artist albums, the "
            "album for album tracks, the playlist for playlist items; null for objects fetched by id.",
        ),
        TableColumn(
            "position",
            "bigint",
            description="0-based place of the object in its container (album tracks, playlist items); "
            "null where order means nothing.",
        ),
        TableColumn(
            "endpoint",
            "text",
            description="The Web API endpoint as a template, e.g. `/artists/{id}/albums`.",
            constraints=TableColumnConstraints(nullable=False),
        ),
        TableColumn(
            "params",
            "jsonb",
            description="The request's parameters: the id(s), market, limit and offset of the page.",
            constraints=TableColumnConstraints(nullable=False),
        ),
        TableColumn(
            "fetched_at",
            "timestamp with time zone",
            description="When the response arrived (UTC).",
            constraints=TableColumnConstraints(nullable=False),
        ),
        TableColumn(
            "load_id",
            "text",
            description="The Dagster run that fetched it.",
            constraints=TableColumnConstraints(nullable=False),
        ),
        TableColumn(
            "content_hash",
            "text",
            description="SHA-256 of the endpoint, parent, position and object; unique, so identical "
            "re-fetches are stored once.",
            constraints=TableColumnConstraints(nullable=False, unique=True),
        ),
        TableColumn(
            "response",
            "jsonb",
            description="The object exactly as Spotify returned it.",
            constraints=TableColumnConstraints(nullable=False),
        ),
    ]
)

# Asset metadata for every bronze table: append-only, one row per distinct content, and what
# each run fetched logged with the rows (see fetch_log.py). Lookups of this run's rows (load_id)
# and of the latest version of given ids stay index scans as history grows with every run.
BRONZE_METADATA = {
    "dagster/column_schema": BRONZE_COLUMNS,
    "write_mode": "append",
    "unique_key": ["content_hash"],
    "indexes": [["load_id"], ["spotify_id", "fetched_at"]],
    "fetch_log": True,
}

# What makes rows versions of one thing (``latest_key`` metadata): the IO manager keeps a pointer
# to each key's latest version in ``bronze.<table>__latest``, which silver reads instead of sorting
# the whole history. Objects by id (by content hash when they have none, so each stands alone),
# listings by container and id, pages by container and position.
BY_ID = "coalesce(response ->> 'id', content_hash)"
BY_PARENT_AND_ID = "parent_id || '/' || coalesce(response ->> 'id', content_hash)"
BY_POSITION = "parent_id || '/' || position"


@dataclass(frozen=True)
class BronzeRecord:
    response: Mapping[str, object]
    spotify_id: str | None
    endpoint: str
    params: Mapping[str, object]
    fetched_at: dt.datetime
    parent_id: str | None = None
    position: int | None = None
    content_hash: str = field(init=False)

    def __post_init__(self) -> None:
        # The hash is of the canonical JSON of [endpoint, parent, position, response], in UTF-8;
        # the response keeps its part, which is stored as it is (see EncodedJson).
        response = EncodedJson(self.response, _canonical(self.response))
        digest = hashlib.sha256(_canonical([self.endpoint, self.parent_id, self.position])[:-1])
        for part in (b",", response.encoded, b"]"):
            digest.update(part)
        object.__setattr__(self, "response", response)
        object.__setattr__(self, "content_hash", digest.hexdigest())


def _canonical(value: object) -> bytes:
    """Sorted-key compact UTF-8 JSON: the bytes ``json.dumps(value, sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)`` writes, which every stored hash was taken of.

    orjson writes them at a seventh of the cost (at 1,000 artists, 5 s less of a first run's
    fetching). Where it would differ, the stdlib writes them: orjson refuses integers beyond 64
    bits, keys that are not strings and lone surrogates, and spells floats below 1e-4 its own way
    (``1e-7``, ``0.00009``), which shows as ``e-`` or ``0.0000`` in what it wrote (a text holding
    those goes the slow way too). NaN and infinities, which it would write as null, never get
    here: the client refuses a body that would hold them (``http.json_body``).
    """
    try:
        encoded = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return _stdlib_canonical(value)
    if b"e-" in encoded or b"0.0000" in encoded:
        return _stdlib_canonical(value)
    # orjson's bytes keep the block they grew in (half as much again, for albums); a copy of their
    # length is what is kept, and the next call reuses the block.
    return bytes(memoryview(encoded))


def _stdlib_canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class FetchedLike(Protocol):
    spotify_id: str | None
    object: Any
    endpoint: str
    params: Mapping[str, Any]
    fetched_at: dt.datetime


def _positions(fetched: Sequence[FetchedLike]) -> Iterator[int]:
    """Each item's index in its container: its page's offset plus its place on the page."""
    seen_on_page: dict[int, int] = {}
    for item in fetched:
        offset = int(item.params.get("offset") or 0)
        index = seen_on_page.get(offset, 0)
        seen_on_page[offset] = index + 1
        yield offset + index


def records_from(
    fetched: Sequence[FetchedLike], *, parent_id: str | None = None, positioned: bool = False
) -> list[BronzeRecord]:
    """Bronze records for fetched objects; unknown ids (no object) are left out."""
    positions = list(_positions(fetched)) if positioned else [None] * len(fetched)
    return [
        BronzeRecord(
            response=item.object,
            spotify_id=item.spotify_id,
            endpoint=item.endpoint,
            params=item.params,
            fetched_at=item.fetched_at,
            parent_id=parent_id,
            position=position,
        )
        for item, position in zip(fetched, positions, strict=True)
        if item.object is not None
    ]


def bronze_frame(records: Iterable[BronzeRecord], load_id: str) -> pd.DataFrame:
    """Bronze rows in column order, one per content hash, with dtypes that hold when empty too."""
    rows = list({record.content_hash: record for record in records}.values())
    return pd.DataFrame(
        {
            "spotify_id": pd.Series([r.spotify_id for r in rows], dtype=object),
            "parent_id": pd.Series([r.parent_id for r in rows], dtype=object),
            "position": pd.Series([r.position for r in rows], dtype="Int64"),
            "endpoint": pd.Series([r.endpoint for r in rows], dtype=object),
            "params": pd.Series([dict(r.params) for r in rows], dtype=object),
            "fetched_at": pd.Series([r.fetched_at for r in rows], dtype="datetime64[ns, UTC]"),
            "load_id": pd.Series([load_id] * len(rows), dtype=object),
            "content_hash": pd.Series([r.content_hash for r in rows], dtype=object),
            "response": pd.Series([r.response for r in rows], dtype=object),
        }
    )
