"""What a client is doing as it goes, told as log records to whoever listens.

The command line's live progress listens (a handler on :data:`PROGRESS_LOG`, see
``spotify_assets.cli.run_progress``); the pipeline does not know it. Unheard, a record costs one
level check. The logger does not propagate, so these records never reach Dagster's event log.

Each record carries ``progress = (kind, amount)``: ``request`` (one request sent), ``expected``
(objects the API said are there: a page's ``total``, the ids asked for), ``fetched`` (objects
received) and ``rate_limited`` (a 429 honoured; amount: the seconds every worker now waits).
"""

import logging
from typing import Literal

PROGRESS_LOG = logging.getLogger("spotify_assets.spotify_client.progress")
PROGRESS_LOG.propagate = False

Kind = Literal["request", "expected", "fetched", "rate_limited"]


def tell(kind: Kind, amount: float = 1) -> None:
    if PROGRESS_LOG.isEnabledFor(logging.DEBUG):
        PROGRESS_LOG.debug("%s %s", kind, amount, extra={"progress": (kind, amount)})
