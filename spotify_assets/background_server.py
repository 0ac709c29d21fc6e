"""One way to run a server in the background: start it, ask for its status, stop it.

The embedded PostgreSQL and the shared sandbox both outlive the process that starts them: every
other process (the webserver, the daemon, run workers, tests) finds the running one through a file
in the project home, and an inter-process lock makes concurrent first starts safe. Both offer
this protocol, so the CLI's ``db`` and ``sandbox`` groups start, report and stop them alike.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol


@dataclass(frozen=True)
class ServerStatus:
    """Whether the server runs, as which process, where clients reach it, where its state lives."""

    running: bool
    pid: int | None
    url: str | None
    state_dir: Path


class BackgroundServer(Protocol):
    name: ClassVar[str]

    def start(self) -> str:
        """Start the server unless it already runs; return the URL clients use."""
        ...

    def status(self) -> ServerStatus: ...

    def stop(self) -> bool:
        """Stop the server; False if it was not running."""
        ...
