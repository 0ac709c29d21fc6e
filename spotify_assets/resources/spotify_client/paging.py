"""Walking Spotify paging objects: pure functions over a ``fetch(offset, max_limit)`` callback.

Stops on ``next == null``, an empty page, ``offset >= total`` (the latest page's total, since
totals drift) or the offset cap, whichever comes first; skips ``null`` items; dedupes by id; and
stops if a page brings only items already seen (a server ignoring ``offset`` cannot loop us).
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Page:
    """One paging object as fetched, with the request parameters that produced it."""

    data: Mapping[str, Any]
    params: Mapping[str, Any]
    fetched_at: datetime

    @property
    def items(self) -> list[Any]:
        return list(self.data.get("items") or [])


def iter_pages(
    fetch: Callable[[int, int | None], Page], *, start: int = 0, offset_cap: int | None = None
) -> Iterator[Page]:
    """Pages from ``start`` on; ``fetch`` gets the offset and the most items the cap leaves room for."""
    offset = start
    while True:
        room = None if offset_cap is None else offset_cap - offset
        if room is not None and room <= 0:
            return
        page = fetch(offset, room)
        yield page
        items = page.items
        if not items or page.data.get("next") is None:
            return
        # Advance by what came back, not by `limit`: a short page must not make us skip items.
        offset += len(items)
        total = page.data.get("total")
        if isinstance(total, int) and offset >= total:
            return


def item_id(item: Mapping[str, Any]) -> str | None:
    return item.get("id")


def playlist_entry_id(entry: Mapping[str, Any]) -> str | None:
    """The id of a playlist entry's track or episode (2026 bodies say ``item``, older ``track``)."""
    inner = entry.get("item") or entry.get("track")
    return inner.get("id") if isinstance(inner, Mapping) else None


def iter_items(
    pages: Iterator[Page], *, key: Callable[[Mapping[str, Any]], Any] | None = item_id
) -> Iterator[tuple[Mapping[str, Any], Page]]:
    """Non-null items with the page they came from, first occurrence per ``key`` (None: keep all)."""
    seen: set[Any] = set()
    for page in pages:
        fresh = duplicates = 0
        for item in page.items:
            if item is None:
                continue
            k = key(item) if key is not None else None
            if k is not None:
                if k in seen:
                    duplicates += 1
                    continue
                seen.add(k)
            fresh += 1
            yield item, page
        if duplicates and not fresh:
            return


def remaining_tracks_offset(album: Mapping[str, Any]) -> int | None:
    """Where an album's track pages continue after the page embedded in it; None if complete."""
    embedded = album.get("tracks")
    if not isinstance(embedded, Mapping):
        return 0
    if embedded.get("next") is None:
        return None
    offset = (embedded.get("offset") or 0) + len(embedded.get("items") or [])
    total = embedded.get("total")
    if isinstance(total, int) and offset >= total:
        return None
    return offset
