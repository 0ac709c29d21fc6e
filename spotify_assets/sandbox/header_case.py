"""Response header names that reach the wire as the app wrote them.

uvicorn's httptools protocol lowercases each response header name (``name.lower()``) as it writes
it. The sandbox must keep case where it means something: a 429's ``Retry-After`` and the
``retry-after`` of the "lowercase" 429 shape are different faults. A name whose ``lower()`` is
itself comes out as given.
"""

from collections.abc import Iterable


class _AsGiven(bytes):
    """A header name, equal to the plain bytes, that lowercasing leaves alone."""

    def lower(self) -> bytes:
        return self


def as_given(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with every name that is not all lower case marked to be written as it is."""
    return [(name if name.islower() else _AsGiven(name), value) for name, value in headers]
