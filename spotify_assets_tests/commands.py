"""Commands run as real subprocesses, as a user would type them, in an environment the test picks.

Shared by the tests of the built wheel and of Dagster's `dg` CLI.
"""

import os
import subprocess
from pathlib import Path


def run(command: list[str | Path], **kwargs) -> subprocess.CompletedProcess:
    """Run ``command`` to its end; fail with its exit code and output unless it exits 0."""
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, check=False, **kwargs
    )
    # Dagster logs a failed step's error with its traceback on stderr: keep enough of it.
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} exited {result.returncode}:\n"
        f"{result.stdout[-4000:]}\n{result.stderr[-12000:]}"
    )
    return result


def outside_env(**settings: str) -> dict[str, str]:
    """This process's environment without the project's settings, Dagster's or a Python path,
    plus ``settings``: what a fresh shell on the machine would have."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SPOTIFY_", "DAGSTER_")) and key not in {"PYTHONPATH", "VIRTUAL_ENV"}
    }
    return {**env, **settings}
