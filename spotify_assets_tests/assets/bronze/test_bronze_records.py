"""Bronze records without a database: provenance, positions, content hashes, frame dtypes."""

import datetime as dt
import hashlib
import json
import pickle

import pandas as pd
import pytest

from spotify_assets.assets.bronze.bronze_records import BronzeRecord, bronze_frame, records_from
from spotify_assets.resources.spotify_client import Fetched

NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)


def _fetched(spotify_id: str | None, offset: int, obj: object = None) -> Fetched:
    return Fetched(
        spotify_id=spotify_id,
        object={"id": spotify_id} if obj is None else obj,
        endpoint="/playlists/{id}/items",
        params={"id": "p1", "offset": offset, "limit": 2},
        fetched_at=NOW,
    )


def test_positions_are_page_offset_plus_place_on_page() -> None:
    fetched = [
        _fetched("a", 0),
        _fetched("b", 0),
        _fetched(None, 2, {"track": None}),
        _fetched("a", 2),
    ]
    records = records_from(fetched, parent_id="p1", positioned=True)
    assert [(r.spotify_id, r.position, r.parent_id) for r in records] == [
        ("a", 0, "p1"),
        ("b", 1, "p1"),
        (None, 2, "p1"),
        ("a", 3, "p1"),
    ]


def test_unknown_ids_are_left_out_and_unordered_containers_have_no_position() -> None:
    fetched = [_fetched("a", 0), Fetched("zzz", None, "/artists", {"ids": "zzz"}, NOW)]
    records = records_from(fetched)
    assert [(r.spotify_id, r.position) for r in records] == [("a", None)]


def test_content_hash_covers_object_and_place_not_fetch_time() -> None:
    base = BronzeRecord({"id": "a", "n": 1}, "a", "/x", {"id": "a"}, NOW, parent_id="p", position=1)
    later = BronzeRecord(
        {"n": 1, "id": "a"},
        "a",
        "/x",
        {"id": "a", "offset": 0},
        NOW + dt.timedelta(days=1),
        parent_id="p",
        position=1,
    )
    moved = BronzeRecord(
        {"id": "a", "n": 1}, "a", "/x", {"id": "a"}, NOW, parent_id="p", position=2
    )
    changed = BronzeRecord(
        {"id": "a", "n": 2}, "a", "/x", {"id": "a"}, NOW, parent_id="p", position=1
    )
    assert base.content_hash == later.content_hash
    assert len({base.content_hash, moved.content_hash, changed.content_hash}) == 3


def test_frame_keeps_one_row_per_hash_with_stable_dtypes() -> None:
    record = BronzeRecord({"id": "a"}, "a", "/x", {"id": "a"}, NOW)
    frame = bronze_frame([record, record], "run-1")
    assert len(frame) == 1
    assert frame.iloc[0]["load_id"] == "run-1" and frame.iloc[0]["response"] == {"id": "a"}
    empty = bronze_frame([], "run-1")
    assert empty.dtypes.astype(str).to_dict() == frame.dtypes.astype(str).to_dict()
    assert str(frame["fetched_at"].dtype) == "datetime64[ns, UTC]"
    assert isinstance(frame["position"].dtype, pd.Int64Dtype)


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_content_hash_is_the_sha256_of_the_canonical_json_of_place_and_object() -> None:
    # The formula every stored row was hashed with: a change would make unchanged objects look new.
    response = {
        "name": "Café\u2028",
        "n": 2**70,
        "x": 0.1,
        "images": [],
        "z": None,
        "a": {"b": True},
    }
    record = BronzeRecord(response, "a", "/albums/{id}", {}, NOW, parent_id="p", position=0)
    expected = hashlib.sha256(_canonical(["/albums/{id}", "p", 0, response])).hexdigest()
    assert record.content_hash == expected
    unplaced = BronzeRecord(response, "a", "/albums", {}, NOW)
    expected = hashlib.sha256(_canonical(["/albums", None, None, response])).hexdigest()
    assert unplaced.content_hash == expected


@pytest.mark.parametrize(
    "response",
    [
        # Floats below 1e-4, which orjson spells its own way (1e-7, 0.00009), beside plain ones.
        {"x": 1e-05, "y": 9.265e-05, "z": -3e-300, "w": [0.5, 1e16, 1e22, 123.25]},
        # Texts that look like such floats; integers beyond 64 bits; keys that are not strings.
        {"name": "re-release 0.0000", "n": -(2**64), "m": 2**64 - 1},
        {1: "one", 2: [None, True]},
        # Escapes, every control character, astral characters and keys ordered by code point.
        {"é": "".join(map(chr, range(0x20))) + '"\\/\u2028\u2029\x7f', "😀": 1, "e": 2, "É": 3},
    ],
)
def test_the_canonical_json_is_the_stdlibs_byte_for_byte(response) -> None:
    record = BronzeRecord(response, None, "/x", {}, NOW)
    assert record.response.encoded == _canonical(response)
    expected = hashlib.sha256(_canonical(["/x", None, None, response])).hexdigest()
    assert record.content_hash == expected


def test_frame_responses_carry_the_json_their_hash_was_taken_of() -> None:
    record = BronzeRecord({"b": [1, 2], "a": "東京"}, "a", "/x", {}, NOW)
    (response,) = bronze_frame([record], "run-1")["response"]
    assert response == {"a": "東京", "b": [1, 2]}
    assert response.encoded == _canonical(response) and json.loads(response.encoded) == response
    copy = pickle.loads(pickle.dumps(response))
    assert copy == response and copy.encoded == response.encoded
