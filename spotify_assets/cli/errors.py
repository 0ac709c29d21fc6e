"""How every ``spotify-assets`` command ends: its exit code, and one line for a known error.

Commands raise the package's own errors; :class:`CommandGroup` turns the known ones into
``Error: <message>`` on stderr and the exit code their kind calls for, without a traceback. Any
other exception is a bug and keeps its traceback.
"""

import click

FAILED = 1  # a run or a check failed, or a server it needs could not be reached or started
USAGE = 2  # a wrong command line or an unusable setting: nothing was tried

# For --help (click keeps a paragraph starting with \b as it is written).
EXIT_CODES_HELP = """\b
Exit codes: 0 success; 1 a run or check failed (or a server it needs
cannot be reached or started); 2 a usage or configuration error (a bad
option, setting, URL, watch list or credentials file; nothing started)."""


def _known_errors() -> tuple[tuple[type[Exception], int], ...]:
    # Imported only once an error arrives: these modules load Dagster, which `sandbox serve`
    # (started by `python -m spotify_assets.sandbox`) does without.
    from spotify_assets.catalog.column_lineage import SqlLineageError
    from spotify_assets.catalog.datahub_sinks import DataHubConfigError, DataHubUnavailableError
    from spotify_assets.catalog.warehouse_columns import TablesNotBuiltError
    from spotify_assets.celery_executor import BrokerUnavailableError
    from spotify_assets.resources.credentials import CredentialsError
    from spotify_assets.resources.spotify_client import SpotifyError
    from spotify_assets.resources.watchlist_file import WatchListError
    from spotify_assets.sandbox.embedded import SandboxOptionsMismatch, SandboxStartError
    from spotify_assets.settings import SettingsError
    from spotify_assets.warehouse.connection import DatabaseUnavailableError
    from spotify_assets.warehouse.urls import DatabaseUrlError

    return (
        (DatabaseUrlError, USAGE),
        (SettingsError, USAGE),
        (WatchListError, USAGE),
        (CredentialsError, USAGE),
        (DataHubConfigError, USAGE),
        # The server may be down for now, or the URL wrong; it is only known by trying, and the
        # same command may succeed later, as a failed run may.
        (DatabaseUnavailableError, FAILED),
        (BrokerUnavailableError, FAILED),
        (SpotifyError, FAILED),
        (DataHubUnavailableError, FAILED),
        (SandboxOptionsMismatch, FAILED),
        (SandboxStartError, FAILED),
        # The catalog describes tables a run builds: missing or older tables fail like a run.
        (TablesNotBuiltError, FAILED),
        (SqlLineageError, FAILED),
    )


class CommandError(click.ClickException):
    """A known error, printed as click prints its own, with the exit code its kind calls for."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class CommandGroup(click.Group):
    """A click group whose commands' known errors end as one line and the right exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.ClickException:
            raise
        except Exception as exc:
            for kind, exit_code in _known_errors():
                if isinstance(exc, kind):
                    raise CommandError(str(exc), exit_code) from None
            raise
