"""A plain HTTP client for the sandbox tests: a token, GETs, and walks over paging objects.

Deliberately not the project's Spotify client: these tests pin the server's behaviour, so they
talk HTTP with nothing in between (no retries, no paging logic beyond following ``next``).
"""

import requests

from spotify_assets.sandbox import SandboxServer


def token(server: SandboxServer) -> str:
    response = requests.post(
        server.token_url,
        data={"grant_type": "client_credentials"},
        auth=(server.client_id, server.client_secret),
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["access_token"]


class ApiClient:
    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token(server)}"

    def get(self, path: str, **params) -> requests.Response:
        """GET an API path (``/artists/...``) or an absolute URL the server handed out."""
        url = path if path.startswith("http") else self.server.api_url + path
        return self.session.get(url, params=params or None, timeout=30)

    def json(self, path: str, **params) -> dict:
        response = self.get(path, **params)
        assert response.status_code == 200, (response.status_code, response.text[:300])
        return response.json()

    def walk(self, path: str, key: str | None = None, **params) -> tuple[list, list[dict]]:
        """Follow ``next`` from the first page to the end: (all items, every page seen)."""
        pages = []
        body = self.json(path, **params)
        while True:
            page = body[key] if key else body
            pages.append(page)
            if page["next"] is None:
                break
            body = self.json(page["next"])
        return [item for page in pages for item in page["items"]], pages
