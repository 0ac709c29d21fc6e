"""HTTP for the live client: pooled session, token, the shared 429 gate, bounded retries.

Each call runs in two tenacity loops. The inner one re-sends right away after a 429 (the shared
gate does the waiting, for every thread) or once after a 401 with a fresh token; the outer one
backs off exponentially with jitter after 5xx answers and broken connections, for a bounded
number of attempts. Everything else is final and becomes a typed error.
"""

import email.utils
import json
import logging
import math
import os
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import requests
import tenacity
from requests.adapters import BaseAdapter, HTTPAdapter

from spotify_assets.resources.credentials import SpotifyCredentials
from spotify_assets.resources.spotify_client.call_stats import CallStats
from spotify_assets.resources.spotify_client.client_settings import (
    REMOVED_ENDPOINTS,
    ClientSettings,
)
from spotify_assets.resources.spotify_client.errors import (
    ErrorKind,
    SpotifyAuthError,
    SpotifyBadRequestError,
    SpotifyForbiddenError,
    SpotifyNotFoundError,
    SpotifyRateLimitError,
    SpotifyRequestError,
    SpotifyUnavailableError,
)
from spotify_assets.resources.spotify_client.progress import tell
from spotify_assets.resources.spotify_client.ratelimit import (
    Clock,
    describe_retry_at,
    quota_error,
    shared_gate,
    too_long_error,
)

T = TypeVar("T")


class _RetryNow(Exception):
    """Send again at once (after a 429 the gate makes the wait; after a 401 the token is new)."""


class _RateLimited(_RetryNow):
    """A 429 within the cap: the gate is closed for Retry-After; send again when it opens."""


class _Transient(Exception):
    """A 5xx answer or a broken connection: back off, then try again."""


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    expires_in: float
    refresh_at: float  # on the client's monotonic clock


@dataclass(frozen=True)
class Versioned:
    """A GET's JSON body and ``ETag``; ``modified`` False (and no body) for a 304 Not Modified."""

    body: Any
    etag: str | None
    modified: bool = True


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds from a ``Retry-After`` value (seconds or HTTP date); None when absent, 0 or junk."""
    if value is None or not value.strip():
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value.strip())
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    if not math.isfinite(seconds) or seconds <= 0:
        return None
    return seconds


def json_body(response: requests.Response) -> Any:
    """A response's body as JSON; ValueError if it is not JSON, or not JSON Python can hold.

    Read by the stdlib (``Response.json()`` takes simplejson wherever something installed it). It
    refuses the ``NaN`` and ``Infinity`` the stdlib would read, which JSON has not, and numbers
    beyond a double, which the stdlib would read as infinities: bronze could neither hash nor store
    either as the text it came as.
    """
    return json.loads(response.content, parse_constant=_not_json, parse_float=_finite)


def _not_json(constant: str) -> float:
    raise ValueError(f"{constant} is not a JSON value")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text} is beyond the range of a double")
    return value


def error_body(response: requests.Response) -> dict[str, Any]:
    """The ``error`` object of an API error body (``{}`` when the body is empty or not JSON)."""
    try:
        body = json_body(response)
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    error = body.get("error")
    if isinstance(error, dict):
        return error
    if isinstance(error, str):  # OAuth shape: {"error": "invalid_client", "error_description": ...}
        return {"message": error, "description": body.get("error_description") or ""}
    return {}


def classify(status: int, message: str, endpoint: str) -> ErrorKind:
    text = message.lower()
    if status == 400:
        if "invalid limit" in text:
            return "invalid_limit"
        if "invalid id" in text or "invalid base62" in text:
            return "invalid_id"
        return "bad_request"
    if status == 401:
        return "unauthorized"
    if status == 403:
        if "premium" in text:
            return "premium_required"
        return "removed_endpoint" if endpoint in REMOVED_ENDPOINTS else "forbidden"
    if status == 404:
        return "removed_endpoint" if endpoint in REMOVED_ENDPOINTS else "not_found"
    return "other"


_HINTS: Mapping[ErrorKind, str] = {
    "removed_endpoint": "Spotify removed this endpoint for new or development-mode apps; "
    "nothing in the pipeline should depend on it.",
    "premium_required": "The app's owner needs an active Spotify Premium subscription "
    "(development mode).",
    "forbidden": "This token may not read it (development-mode apps see less; playlist items "
    "need the owner's token).",
    "not_found": "Unknown id.",
    "invalid_id": "Not a valid Spotify id (22 base-62 characters).",
    "invalid_limit": "The page size is above this endpoint's maximum.",
}
_ERROR_TYPES: Mapping[int, type[SpotifyRequestError]] = {
    400: SpotifyBadRequestError,
    403: SpotifyForbiddenError,
    404: SpotifyNotFoundError,
}


def api_error(response: requests.Response, *, label: str, endpoint: str) -> SpotifyRequestError:
    status = response.status_code
    message = str(error_body(response).get("message") or response.reason or "").strip()
    kind = classify(status, message, endpoint)
    hint = _HINTS.get(kind, "")
    return _ERROR_TYPES.get(status, SpotifyRequestError)(
        f"{label} answered {status} ({kind}): {message or 'no message'}. {hint}".strip(),
        status=status,
        kind=kind,
        spotify_message=message,
        endpoint=endpoint,
    )


class SpotifyHttp:
    """Sends requests for one client: token, gate, retries, statistics."""

    def __init__(
        self,
        *,
        settings: ClientSettings,
        credentials: SpotifyCredentials,
        clock: Clock,
        stats: CallStats,
        logger: logging.Logger,
        adapter: BaseAdapter | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._settings = settings
        self._credentials = credentials
        self._clock = clock
        self._stats = stats
        self._log = logger
        self._rng = rng or random.Random()
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "spotify-assets"
        # requests reads proxies, the CA bundle and ~/.netrc from the environment on every call,
        # a sixth of a small request's client time; the client reads them once per host instead.
        # (A netrc entry would also replace the bearer token with basic auth.)
        self._session.trust_env = False
        self._environments: dict[str, dict[str, Any]] = {}
        pool = adapter or HTTPAdapter(
            pool_connections=2, pool_maxsize=settings.max_concurrency + 1, max_retries=0
        )
        self._session.mount("http://", pool)
        self._session.mount("https://", pool)
        self._gate = shared_gate(
            api_url=settings.api_url, client_id=credentials.client_id, clock=clock
        )
        self._token: AccessToken | None = None
        self._token_lock = threading.Lock()
        self._token_label = f"POST {urlsplit(settings.accounts_url).path or '/'}"

    def close(self) -> None:
        self._session.close()

    # --- the two kinds of call -----------------------------------------------------------------

    def get_json(
        self,
        endpoint: str,
        *,
        path: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        """GET ``api_url + endpoint`` (templated; ``path`` fills it) and return the JSON body."""
        return self.get_versioned(endpoint, path=path, params=params).body

    def get_versioned(
        self,
        endpoint: str,
        *,
        path: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        etag: str | None = None,
    ) -> Versioned:
        """``get_json``, conditional on ``etag`` (``If-None-Match``): the body, None on a 304 Not
        Modified, with the response's ``ETag`` (Spotify's conditional requests)."""
        label = f"GET {endpoint}"  # templated: how statistics and retries name the call
        filled = endpoint.format(**{k: quote(str(v), safe="") for k, v in (path or {}).items()})
        url = self._settings.api_url.rstrip("/") + filled
        refreshed = False

        def once() -> Versioned:
            nonlocal refreshed
            token = self.token()
            headers = {"Authorization": f"Bearer {token.value}"}
            if etag:
                headers["If-None-Match"] = etag
            response = self._send("GET", url, label, params=params, headers=headers)
            if response.status_code == 401:
                message = str(error_body(response).get("message") or "").strip()
                if refreshed:
                    raise SpotifyAuthError(
                        f"{label} answered 401 ({message or 'unauthorized'}) even with a fresh "
                        "token. Check the credentials with `spotify-assets credentials check`.",
                        error="unauthorized",
                        description=message,
                        status=401,
                    )
                refreshed = True
                self._log.info("%s answered 401 (%s); fetching a new token once.", label, message)
                self._invalidate(token)
                raise _RetryNow
            if response.status_code >= 400:
                # The filled path: a 404 names the id Spotify does not know.
                raise api_error(response, label=f"GET {filled}", endpoint=endpoint)
            answered_etag = response.headers.get("ETag")
            if response.status_code == 304 and etag:
                return Versioned(None, answered_etag or etag, modified=False)
            try:
                return Versioned(json_body(response), answered_etag)
            except ValueError as exc:
                raise _Transient(
                    f"{label} answered {response.status_code} with a body that is not JSON ({exc})"
                ) from None

        return self._with_retries(label, once)

    def fetch_token(self) -> AccessToken:
        """Ask the accounts service for a client-credentials token (no caching)."""
        label = self._token_label

        def once() -> AccessToken:
            response = self._send(
                "POST",
                self._settings.accounts_url,
                label,
                data={"grant_type": "client_credentials"},
                auth=(self._credentials.client_id, self._credentials.client_secret),
            )
            return self._parse_token(response)

        return self._with_retries(label, once)

    def token(self) -> AccessToken:
        """The cached token, fetched anew shortly before it expires (one fetch for all threads)."""
        with self._token_lock:
            token = self._token
            if token is None or self._clock.monotonic() >= token.refresh_at:
                self._token = token = self.fetch_token()
                self._stats.count("tokens_fetched")
            return token

    def _invalidate(self, token: AccessToken) -> None:
        with self._token_lock:
            if self._token is token:  # several threads may see the same 401: refresh once
                self._token = None

    def _parse_token(self, response: requests.Response) -> AccessToken:
        where = self._settings.accounts_url
        who = f"client id {self._credentials.masked_client_id}"
        try:
            body = json_body(response)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {}
        if response.status_code != 200 or "access_token" not in body:
            error = body.get("error")
            if isinstance(error, dict):  # API shape from a misconfigured URL
                error, description = "error", str(error.get("message") or "")
            else:
                error, description = (
                    str(error or "unexpected_answer"),
                    str(body.get("error_description") or ""),
                )
            oauth = f"{error}: {description}" if description else error
            raise SpotifyAuthError(
                f"The accounts service at {where} refused {who} (HTTP {response.status_code}): "
                f"{oauth}. Check the app's client id and secret on "
                "https://developer.spotify.com/dashboard and store them again with "
                "`spotify-assets credentials init --force`.",
                error=error,
                description=description,
                status=response.status_code,
            )
        token_type = str(body.get("token_type") or "")
        if token_type.lower() != "bearer":
            raise SpotifyAuthError(
                f"The accounts service at {where} issued a {token_type or 'typeless'} token, not a "
                "bearer token; is accounts_url the Spotify token endpoint?",
                error="unsupported_token_type",
                status=response.status_code,
            )
        try:
            expires_in = float(body.get("expires_in") or 3600)
        except (TypeError, ValueError):
            expires_in = 3600.0
        margin = min(self._settings.token_refresh_margin_seconds, expires_in * 0.1)
        return AccessToken(
            value=str(body["access_token"]),
            expires_in=expires_in,
            refresh_at=self._clock.monotonic() + expires_in - margin,
        )

    # --- sending and retrying ------------------------------------------------------------------

    def _environment(self, url: str) -> dict[str, Any]:
        """The environment's proxies and CA bundle for ``url``'s host, as requests would read
        them for each call (``NO_PROXY`` included)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        known = self._environments.get(origin)
        if known is None:
            proxies = requests.utils.get_environ_proxies(origin)
            verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            known = {"proxies": proxies} | ({"verify": verify} if verify else {})
            self._environments[origin] = known
        return known

    def _send(self, method: str, url: str, label: str, **kwargs: Any) -> requests.Response:
        self._stats.request_started(label)
        try:
            response = self._session.request(
                method,
                url,
                timeout=self._settings.timeout_seconds,
                **self._environment(url),
                **kwargs,
            )
        except (
            requests.ConnectionError,
            requests.Timeout,
            requests.exceptions.ChunkedEncodingError,
        ) as exc:
            self._stats.response(status=None, size=0)
            raise _Transient(f"{label}: connection failed ({type(exc).__name__})") from None
        self._stats.response(status=response.status_code, size=len(response.content))
        if response.status_code == 429:
            self._rate_limited(response, label)
        if response.status_code >= 500:
            raise _Transient(
                f"{label} answered {response.status_code} {response.reason or ''}".strip()
            )
        return response

    def _rate_limited(self, response: requests.Response, label: str) -> None:
        settings = self._settings
        retry_after = parse_retry_after(
            response.headers.get("Retry-After"), now=self._clock.utcnow()
        )
        within_cap = retry_after is not None and retry_after <= settings.max_retry_after_seconds
        if str(error_body(response).get("reason") or "").upper() == "QUOTA_EXCEEDED":
            # A cool-down, unless Spotify names a wait within the cap: then it is waited out
            # like any 429 (and counts against max_rate_limit_retries, so it cannot loop).
            if not within_cap:
                self._gate.close_for(retry_after or settings.quota_cooldown_seconds, reason="quota")
                self._log.error("%s: QUOTA_EXCEEDED; not retrying.", label)
                raise quota_error(label, self._gate.retry_at(), retry_after)
        elif retry_after is not None and not within_cap:
            self._gate.close_for(retry_after)
            raise too_long_error(
                label, self._gate.retry_at(), retry_after, settings.max_retry_after_seconds
            )
        if retry_after is None:
            retry_after = settings.default_retry_after_seconds * self._rng.uniform(0.5, 1.5)
        self._log.info("%s answered 429; every worker waits %.1f s.", label, retry_after)
        self._gate.close_for(retry_after)
        tell("rate_limited", retry_after)
        raise _RateLimited

    def _with_retries(self, label: str, once: Callable[[], T]) -> T:
        settings = self._settings

        def gated() -> T:
            slept = self._gate.wait(max_wait=settings.max_retry_after_seconds, label=label)
            if slept:
                self._stats.waited("rate_limit", slept)
            return once()

        limited = 0

        def out_of_429_retries(state: tenacity.RetryCallState) -> bool:
            nonlocal limited
            if state.outcome is not None and isinstance(state.outcome.exception(), _RateLimited):
                limited += 1
            return limited > settings.max_rate_limit_retries

        def still_limited(state: tenacity.RetryCallState) -> T:
            raise SpotifyRateLimitError(
                f"{label}: still rate-limited after {limited - 1} waits "
                f"(max_rate_limit_retries={settings.max_rate_limit_retries}). Spotify will accept "
                f"calls again after {describe_retry_at(self._gate.retry_at())} at the earliest; "
                "re-run later or lower max_concurrency.",
                retry_at=self._gate.retry_at(),
                retry_after=None,
            )

        def unavailable(state: tenacity.RetryCallState) -> T:
            cause = state.outcome.exception() if state.outcome else None
            raise SpotifyUnavailableError(
                f"{cause} - gave up after {state.attempt_number} attempts "
                f"(max_attempts={settings.max_attempts}). {settings.unavailable_advice}"
            )

        inner = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_RetryNow),
            stop=out_of_429_retries,
            wait=tenacity.wait_none(),
            before_sleep=lambda state: self._stats.count("retries"),
            retry_error_callback=still_limited,
        )
        outer = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Transient),
            stop=tenacity.stop_after_attempt(settings.max_attempts),
            wait=tenacity.wait_random_exponential(
                multiplier=settings.backoff_initial_seconds, max=settings.backoff_max_seconds
            ),
            sleep=self._backoff,
            before_sleep=lambda state: self._before_backoff(label, state),
            retry_error_callback=unavailable,
        )
        return outer(inner, gated)

    def _before_backoff(self, label: str, state: tenacity.RetryCallState) -> None:
        self._stats.count("retries")
        wait = state.next_action.sleep if state.next_action else 0.0
        cause = state.outcome.exception() if state.outcome else None
        self._log.info("%s; retry %d in %.2f s.", cause, state.attempt_number, wait)

    def _backoff(self, seconds: float) -> None:
        start = self._clock.monotonic()
        self._clock.sleep(seconds)
        self._stats.waited("backoff", self._clock.monotonic() - start)
