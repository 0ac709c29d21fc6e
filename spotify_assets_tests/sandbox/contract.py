"""Validation of sandbox responses against Spotify's OpenAPI contract, with openapi-core.

``spotify-web-api/`` holds a verbatim copy of the contract the project follows (sonallux's fixed
Spotify spec, version 2026.5.31, MIT; ../shared/spotify-web-api upstream of this repository),
so CI needs nothing outside the checkout. A response is checked against the schema of the
operation and status it answers, chosen by openapi-core from the request, not by the test.

The contract lags what Spotify sends (SPOTIFY_API.md); these patches, and only these, are applied:

- ``servers`` points at the sandbox under test;
- 400 and 404 (the API error shape) are allowed on every operation, as Spotify sends them;
- batch results (``/artists``, ``/albums``, ``/tracks`` with ``ids``) may hold null for unknown ids;
- a playlist entry's ``item``/``track`` may be null (unavailable items) or a local file, whose
  ``id``, ``href`` and album fields are null: a third ``oneOf`` branch that only accepts
  ``is_local: true``;
- in development mode, the fields that mode removes are not required (they must be absent,
  which the tests check separately).
"""

import copy
from functools import cache
from pathlib import Path

import requests
import yaml
from jsonschema.exceptions import best_match
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

SPEC_FILE = Path(__file__).parent / "spotify-web-api" / "openapi.yml"

# (schema, field) pairs the contract requires but development mode removes.
DEVELOPMENT_REMOVED_REQUIRED = (
    ("AlbumBase", "available_markets"),
    ("AlbumObject", "label"),
    ("AlbumObject", "popularity"),
    ("ArtistDiscographyAlbumObject", "album_group"),
)


# Under OpenAPI 3.0, ``nullable`` next to ``oneOf``/``allOf`` means nothing: null is a branch.
_NULL = {"nullable": True, "enum": [None]}


@cache
def _contract() -> dict:
    return yaml.safe_load(SPEC_FILE.read_text())


def _local_track_schema(schemas: dict) -> dict:
    local = copy.deepcopy(schemas["TrackObject"])
    properties = local["properties"]
    for name in ("id", "href", "preview_url"):
        properties[name] = {"type": "string", "nullable": True}
    properties["is_local"] = {"type": "boolean", "enum": [True]}
    nullable_text = {"type": "string", "nullable": True}
    properties["album"] = {
        "type": "object",
        "properties": {
            name: nullable_text
            for name in (
                "album_type",
                "href",
                "id",
                "name",
                "release_date",
                "release_date_precision",
                "uri",
            )
        },
    }
    properties["artists"] = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {name: nullable_text for name in ("href", "id", "name", "uri")},
        },
    }
    local["required"] = ["is_local", "id", "name", "uri"]
    return local


@cache
def _patched(base_url: str, development: bool) -> OpenAPI:
    spec = copy.deepcopy(_contract())
    spec["servers"] = [{"url": f"{base_url}/v1"}]
    schemas = spec["components"]["schemas"]
    for item in spec["paths"].values():
        operation = item.get("get")
        if operation is not None:
            operation["responses"].setdefault("400", {"$ref": "#/components/responses/BadRequest"})
            operation["responses"].setdefault("404", {"$ref": "#/components/responses/NotFound"})
    for name in ("ManyArtists", "ManyAlbums", "ManyTracks"):
        (array,) = spec["components"]["responses"][name]["content"]["application/json"]["schema"][
            "properties"
        ].values()
        array["items"] = {"oneOf": [array["items"], _NULL]}
    schemas["LocalTrackObject"] = _local_track_schema(schemas)
    entry = schemas["PlaylistTrackObject"]["properties"]
    for name in ("item", "track"):
        entry[name]["oneOf"] += [{"$ref": "#/components/schemas/LocalTrackObject"}, _NULL]
        # With a third branch the type-based discriminator no longer names every branch.
        entry[name].pop("discriminator", None)
    if development:
        for schema_name, field in DEVELOPMENT_REMOVED_REQUIRED:
            schema = schemas[schema_name]
            holder = (
                schema
                if "required" in schema
                else next(
                    part for part in schema.get("allOf", []) if field in part.get("required", [])
                )
            )
            holder["required"] = [name for name in holder["required"] if name != field]
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


def validate(response: requests.Response, base_url: str, *, development: bool = False) -> None:
    """Raise if ``response`` does not match the contract for its request (operation and status)."""
    api = _patched(base_url, development)
    try:
        api.validate_response(
            RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response)
        )
    except Exception as exc:
        errors = getattr(exc.__cause__, "schema_errors", None) or getattr(
            exc, "schema_errors", None
        )
        if errors:
            worst = best_match(errors)
            path = "/".join(str(part) for part in worst.absolute_path)
            details = f"- at {path}: {worst.message[:300]}"
        else:
            details = f"- {exc.__cause__ or exc}"
        raise AssertionError(
            f"{response.request.method} {response.url} -> {response.status_code} breaks the contract:\n{details}"
        ) from exc
