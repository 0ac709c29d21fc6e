"""The sandbox's command-line options, and the way back from a config to those options.

Both directions live here so the shared background sandbox (:mod:`.embedded`), which starts
``serve`` with the options reproducing a :class:`SandboxConfig`, can never drift from what
``serve`` accepts.
"""

import click

from spotify_assets.sandbox.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SandboxConfig
from spotify_assets.sandbox.faults import RATE_LIMIT_SHAPES, Faults
from spotify_assets.sandbox.modes import MODES

# The secret travels in the environment, not on a command line other users can read.
SECRET_ENV = "SPOTIFY_ASSETS_SANDBOX_CLIENT_SECRET"

# (option, Faults field, click type, help)
FAULT_OPTIONS = (
    ("--latency", "latency", click.FloatRange(min=0), "Seconds added before every API answer."),
    (
        "--error-rate",
        "error_rate",
        click.FloatRange(0, 1),
        "Share of API requests answered 5xx, spread evenly (0.25: every 4th).",
    ),
    (
        "--error-status",
        "error_statuses",
        click.IntRange(500, 599),
        "A 5xx status to answer with (repeatable; default 500, 502, 503).",
    ),
    (
        "--drop-rate",
        "drop_rate",
        click.FloatRange(0, 1),
        "Share of API requests whose connection is closed without an answer.",
    ),
    (
        "--rate-limit",
        "rate_limit",
        click.IntRange(min=0),
        "API requests allowed per rolling window; beyond it, 429.",
    ),
    (
        "--rate-limit-window",
        "rate_limit_window",
        click.FloatRange(min=0, min_open=True),
        "The rate-limit window in seconds (default 30).",
    ),
    (
        "--rate-limit-shape",
        "rate_limit_shapes",
        click.Choice(list(RATE_LIMIT_SHAPES)),
        "How 429s look, cycled (repeatable): " + ", ".join(RATE_LIMIT_SHAPES) + ".",
    ),
    (
        "--retry-after",
        "retry_after",
        click.IntRange(min=0),
        "A fixed Retry-After (seconds) for standard, lowercase, empty and quota 429s.",
    ),
    (
        "--short-token-ttl",
        "token_ttl",
        click.IntRange(min=1),
        "Fault: tokens issued live this many seconds (overrides --token-ttl).",
    ),
)
_REPEATABLE = {"error_statuses", "rate_limit_shapes"}

_CONFIG_OPTIONS = (
    click.option(
        "--mode",
        type=click.Choice(list(MODES)),
        default="extended",
        show_default=True,
        help="extended: an Extended Quota Mode app; development: a 2026 Development Mode app.",
    ),
    click.option(
        "--artists",
        type=click.IntRange(1),
        default=SandboxConfig.artists,
        show_default=True,
        help="Catalog size (about 10 albums and 100 tracks per artist).",
    ),
    click.option(
        "--seed",
        type=int,
        default=SandboxConfig.seed,
        show_default=True,
        help="Catalog seed: the same seed and size always give the same catalog.",
    ),
    click.option(
        "--client-id",
        default=DEFAULT_CLIENT_ID,
        show_default=True,
        help="The client id the token endpoint accepts.",
    ),
    click.option(
        "--client-secret",
        default=DEFAULT_CLIENT_SECRET,
        envvar=SECRET_ENV,
        help=f"The client secret it accepts (default: {DEFAULT_CLIENT_SECRET}; or ${SECRET_ENV}).",
    ),
    click.option(
        "--token-ttl",
        type=click.IntRange(1),
        default=SandboxConfig.token_ttl,
        show_default=True,
        help="expires_in of issued tokens, in seconds.",
    ),
)


def _parameter(field: str) -> str:
    # Fault fields may share a name with config fields (token_ttl): keep their parameters apart.
    return f"fault_{field}"


def config_options(command):
    """Decorate a command with the catalog, credential and fault options."""
    for option, name, kind, help_text in reversed(FAULT_OPTIONS):
        repeatable = name in _REPEATABLE
        command = click.option(
            option, _parameter(name), type=kind, multiple=repeatable, help=help_text
        )(command)
    for decorator in reversed(_CONFIG_OPTIONS):
        command = decorator(command)
    return command


def config_from_options(port: int, options: dict) -> SandboxConfig:
    """The config the parsed options describe; bad combinations are usage errors."""
    options = dict(options)
    faults = {}
    for _, name, _, _ in FAULT_OPTIONS:
        value = options.pop(_parameter(name))
        if value not in (None, ()):
            faults[name] = value
    try:
        return SandboxConfig(port=port, faults=Faults(**faults), **options)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def serve_arguments(config: SandboxConfig) -> list[str]:
    """``serve`` arguments reproducing ``config``, but for the secret (pass it in SECRET_ENV)."""
    arguments = [
        "--port", str(config.port), "--mode", config.mode, "--artists", str(config.artists),
        "--seed", str(config.seed), "--client-id", config.client_id,
        "--token-ttl", str(config.token_ttl),
    ]  # fmt: skip
    defaults = Faults()
    for option, name, _, _ in FAULT_OPTIONS:
        value = getattr(config.faults, name)
        if value is None or value == getattr(defaults, name):
            continue
        for item in value if name in _REPEATABLE else (value,):
            arguments += [option, str(item)]
    return arguments
