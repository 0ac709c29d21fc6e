"""``/_sandbox/*``: control a running sandbox from any process (Spotify never uses this path).

Never faulted, never counted in the stats and needing no token, so a Dagster daemon or a test in
another process can read the stats, change faults and release albums while a pipeline runs.
"""

import json
import os
from dataclasses import asdict
from typing import TYPE_CHECKING

from spotify_assets.sandbox.api import ApiError, Request
from spotify_assets.sandbox.catalog import UnknownId
from spotify_assets.sandbox.faults import Faults
from spotify_assets.sandbox.ids import InvalidId
from spotify_assets.sandbox.responses import Reply, dumps, json_reply

if TYPE_CHECKING:
    from spotify_assets.sandbox.app import SandboxApp

_NEW_ALBUM_FIELDS = ("name", "album_type", "release_date", "total_tracks")


def _json_body(request: Request) -> object:
    if not request.body.strip():
        return {}
    try:
        return json.loads(request.body)
    except ValueError as exc:
        raise ApiError(400, f"the body must be JSON ({exc})") from None


class Admin:
    def __init__(self, app: "SandboxApp") -> None:
        self.app = app

    def health(self, request: Request) -> Reply:
        app = self.app
        body = {
            "status": "ok",
            "pid": os.getpid(),
            "mode": app.mode.name,
            "artists": app.catalog.size,
            "seed": app.catalog.seed,
            "base_url": app.base_url,
            "api_url": f"{app.base_url}/v1",
            "token_url": f"{app.base_url}/api/token",
        }
        return json_reply(200, dumps(body))

    def stats(self, request: Request) -> Reply:
        return json_reply(200, dumps(self.app.stats.snapshot()))

    def requests(self, request: Request) -> Reply:
        return json_reply(200, dumps([asdict(served) for served in self.app.stats.requests()]))

    def reset_stats(self, request: Request) -> Reply:
        self.app.stats.reset()
        return self.stats(request)

    def faults(self, request: Request) -> Reply:
        return json_reply(200, dumps(self.app.faults.to_json()))

    def set_faults(self, request: Request) -> Reply:
        try:
            faults = Faults.from_json(_json_body(request))
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
        self.app.set_faults(faults)
        return self.faults(request)

    def add_album(self, request: Request) -> Reply:
        """Release a new album: optional JSON ``name``, ``album_type``, ``release_date``, ``total_tracks``."""
        fields = _json_body(request)
        if not isinstance(fields, dict) or set(fields) - set(_NEW_ALBUM_FIELDS):
            raise ApiError(
                400, f"the body must be a JSON object with some of {', '.join(_NEW_ALBUM_FIELDS)}"
            )
        try:
            album_id = self.app.catalog.add_album(request.path_params["id"], **fields)
        except InvalidId:
            raise ApiError(400, "invalid id") from None
        except UnknownId:
            raise ApiError(404, "non existing id") from None
        except (TypeError, ValueError) as exc:
            raise ApiError(400, str(exc)) from None
        body = {
            "id": album_id,
            "uri": f"spotify:album:{album_id}",
            "href": self.app.renderer.href("album", album_id),
        }
        return json_reply(201, dumps(body))

    def expire_tokens(self, request: Request) -> Reply:
        self.app.tokens.expire_all()
        return json_reply(200, dumps({"expired": True}))

    def reset(self, request: Request) -> Reply:
        self.app.reset()
        return self.health(request)
