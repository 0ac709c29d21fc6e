"""The shape every bronze table shares: one verbatim Spotify object per row, with its provenance.

Bronze is append-only history. A row's ``content_hash`` covers the object and where it was found
(endpoint, parent, position), so re-fetching an unchanged object stores nothing new, while a changed
one (new follower count, album moved in a playlist) adds a row; silver takes the latest per id.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
from dagster import TableColumn, TableColumnConstraints, TableSchema

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

# Asset metadata for every bronze table: append-only, one row per distinct content.
BRONZE_METADATA = {
    "dagster/column_schema": BRONZE_COLUMNS,
    "write_mode": "append",
    "unique_key": ["content_hash"],
}


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
        canonical = json.dumps(
            [self.endpoint, self.parent_id, self.position, self.response],
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        object.__setattr__(self, "content_hash", hashlib.sha256(canonical.encode()).hexdigest())


def bronze_frame(records: Iterable[BronzeRecord], load_id: str) -> pd.DataFrame:
    """Bronze rows in column order, with dtypes that hold for an empty batch too."""
    rows = list(records)
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
            "response": pd.Series([dict(r.response) for r in rows], dtype=object),
        }
    )
