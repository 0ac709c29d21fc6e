"""Spotify-style ids that decode back to what they name, so no id -> entity map is ever held.

An id is a 22-character base-62 rendering of a 128-bit block: the entity kind and its index
(the high half) followed by a keyed check of them (the low half), run through a keyed Feistel
permutation. Ids therefore look random, differ per seed, and a well-formed id that this catalog
never issued fails the check, which is how the server tells 404 ``non existing id`` from 400
``invalid id`` without a lookup table.
"""

import re
from enum import IntEnum
from functools import lru_cache

import numpy as np

from spotify_assets.sandbox.hashing import MASK64, mix64, mix_array

ID_LENGTH = 22
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_DIGIT = {char: value for value, char in enumerate(_ALPHABET)}
_WELL_FORMED = re.compile(r"[0-9A-Za-z]{22}")
_PAYLOAD_BITS = 56
_ROUNDS = 4


class Kind(IntEnum):
    ARTIST = 1
    ALBUM = 2
    TRACK = 3
    PLAYLIST = 4
    EPISODE = 5
    SHOW = 6


class InvalidId(ValueError):
    """Not a Spotify id at all (the API answers 400 ``invalid id``)."""


def is_well_formed(value: str) -> bool:
    return _WELL_FORMED.fullmatch(value) is not None


# Ids are rendered two digits at a time from 10-digit chunks, which keeps the arithmetic on small
# ints: about ten times faster than 22 divisions of a 128-bit number.
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]
_CHUNK = 62**10
MASK32 = (1 << 32) - 1


def _to_base62(value: int) -> str:
    high, low = divmod(value, _CHUNK)
    top, middle = divmod(high, _CHUNK)
    return _PAIRS[top] + _ten_digits(middle) + _ten_digits(low)


def _ten_digits(chunk: int) -> str:
    rest, e = divmod(chunk, 3844)
    rest, d = divmod(rest, 3844)
    rest, c = divmod(rest, 3844)
    a, b = divmod(rest, 3844)
    return _PAIRS[a] + _PAIRS[b] + _PAIRS[c] + _PAIRS[d] + _PAIRS[e]


_MANY = 24
_CHUNK5 = np.uint64(62**5)  # below 2**30: a remainder and a 32-bit limb fit in 64 bits
_PAIR_BYTES = np.frombuffer("".join(_PAIRS).encode(), dtype=np.uint16)
_KEPT = [0, 1, *(3 + 6 * chunk + digit for chunk in range(4) for digit in range(5))]


def _to_base62_many(left: np.ndarray, right: np.ndarray) -> list[str]:
    """:func:`_to_base62` of each ``left << 64 | right`` (uint64 halves), all in numpy: long
    division of the four 32-bit limbs by 62**5, then each remainder two digits at a time."""
    mask, shift = np.uint64(MASK32), np.uint64(32)
    limbs = [left >> shift, left & mask, right >> shift, right & mask]
    chunks = []
    for _ in range(4):
        remainder = np.zeros_like(left)
        for i, limb in enumerate(limbs):
            limbs[i], remainder = np.divmod((remainder << shift) | limb, _CHUNK5)
        chunks.append(remainder)
    # Four chunks of five digits, least significant first; what is left is the leading two.
    rest, e = np.divmod(np.stack(chunks[::-1], axis=1), np.uint64(3844))
    a, b = np.divmod(rest, np.uint64(3844))
    pairs = np.concatenate([limbs[3][:, None], np.stack([a, b, e], axis=2).reshape(-1, 12)], axis=1)
    # Two characters per pair; the first of each chunk's leading pair is a sixth digit, always 0.
    text = np.ascontiguousarray(_PAIR_BYTES[pairs].view(np.uint8)[:, _KEPT])
    return text.view(f"S{ID_LENGTH}").ravel().astype(f"U{ID_LENGTH}").tolist()


def _from_base62(text: str) -> int:
    value = 0
    for char in text:
        value = value * 62 + _DIGIT[char]
    return value


class IdCodec:
    """Encodes (kind, index) as an id and back, under one seed."""

    def __init__(self, seed: int) -> None:
        base = mix64(seed ^ 0x1D5)
        self._check_key = mix64(base + 1)
        self._round_keys = [mix64(base + 2 + r) for r in range(_ROUNDS)]
        self.encode = lru_cache(maxsize=65536)(self._encode)
        self.decode = lru_cache(maxsize=65536)(self._decode)

    def _encode(self, kind: Kind, index: int) -> str:
        high = (kind << _PAYLOAD_BITS) | index
        left, right = high, mix64(high ^ self._check_key)
        for key in self._round_keys:
            left, right = right, left ^ mix64(right ^ key)
        return _to_base62((left << 64) | right)

    def encode_many(self, kind: Kind, indexes: np.ndarray) -> list[str]:
        """:meth:`encode` of each index, in one numpy pass from a page's worth on (below, one by
        one is cheaper: numpy's cost is per call)."""
        if len(indexes) < _MANY:
            return [self.encode(kind, index) for index in indexes.tolist()]
        high = np.uint64(kind << _PAYLOAD_BITS) | indexes.astype(np.uint64)
        left, right = high, mix_array(high ^ np.uint64(self._check_key))
        for key in self._round_keys:
            left, right = right, left ^ mix_array(right ^ np.uint64(key))
        return _to_base62_many(left, right)

    def _decode(self, value: str) -> tuple[Kind, int] | None:
        """(kind, index) for an id this codec issued, None for any other well-formed id."""
        if not is_well_formed(value):
            raise InvalidId(value)
        block = _from_base62(value)
        if block >> 128:
            return None
        left, right = block >> 64, block & MASK64
        for key in reversed(self._round_keys):
            left, right = right ^ mix64(left ^ key), left
        if right != mix64(left ^ self._check_key):
            return None
        kind = left >> _PAYLOAD_BITS
        if kind not in Kind._value2member_map_:
            return None
        return Kind(kind), left & ((1 << _PAYLOAD_BITS) - 1)
