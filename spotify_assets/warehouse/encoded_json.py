"""A JSON object that arrives with its encoding, so the IO manager stores it without encoding it again.

Bronze encodes every response once for its content hash; a ``jsonb`` column of plain dicts would
be encoded a second time on the way into PostgreSQL (about a tenth of a first run's CPU at 1,000
artists). Being a dict, it reads, compares and type-checks as the object it carries.
"""


class EncodedJson(dict):
    """``value`` as a dict, with ``encoded``: its JSON in UTF-8, in any key order.

    Bytes rather than text: a Python string with one character beyond Latin-1 takes two or four
    bytes for every character. The encoding is taken as given and must be of the dict, which is
    not to be changed afterwards.
    """

    __slots__ = ("encoded",)

    def __init__(self, value: dict, encoded: bytes) -> None:
        super().__init__(value)
        self.encoded = encoded
