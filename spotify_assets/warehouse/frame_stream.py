"""A table's rows as DataFrames produced one batch at a time, so no step holds them all at once.

An asset returns a ``FrameStream`` instead of one DataFrame when its rows are too many to hold,
or should not outlive their load (an in-process run keeps what each step returned); the Postgres
IO manager loads the batches as they come, all in one transaction, so readers see the table as it
was or with every batch. Metadata that is known only once every batch has been
produced (requests made, ids fetched) is set by the producer when it finishes.

An IO manager that knows no streams pickles what it is given (Dagster's default one does): a
stream pickles as the one DataFrame of all its batches, which is what such a manager would have
stored of an asset returning a DataFrame.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class FrameStream:
    """``batches`` yields the table's rows in DataFrames of the same columns and dtypes.

    ``metadata`` is the output metadata: the producer completes it before its last batch is taken.
    """

    batches: Iterator[pd.DataFrame]
    metadata: dict[str, Any] = field(default_factory=dict)

    def __reduce__(self) -> tuple:
        return _concatenated, (list(self.batches),)


def _concatenated(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True)
