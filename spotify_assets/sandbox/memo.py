"""A bounded memo that batch generators can fill ahead of use.

``functools.lru_cache`` can neither say which keys it holds nor take values computed elsewhere, and
the catalog generates a page's worth of entities in one vectorised pass (:meth:`.Catalog.prefetch_tracks`)
before the page renders them one by one.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable


class Memo:
    """``make(key)`` remembered for the ``maxsize`` keys last stored (oldest forgotten first)."""

    def __init__(self, make: Callable[[Hashable], object], maxsize: int) -> None:
        self._make = make
        self._maxsize = maxsize
        self._values: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, key: Hashable):
        try:
            return self._values[key]
        except KeyError:
            value = self._make(key)
            self.fill([(key, value)])
            return value

    def __contains__(self, key: Hashable) -> bool:
        return key in self._values

    def __len__(self) -> int:
        return len(self._values)

    def fill(self, pairs: Iterable[tuple[Hashable, object]]) -> None:
        with self._lock:
            values = self._values
            for key, value in pairs:
                values[key] = value
            while len(values) > self._maxsize:
                values.popitem(last=False)

    def cache_clear(self) -> None:
        with self._lock:
            self._values.clear()
