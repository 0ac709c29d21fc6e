"""``spotify-assets credentials init|show|check|rotate|drop-old-keys`` through click's runner,
plus one run of the installed console script.

``check`` talks to the sandbox's real token endpoint over HTTP. The store itself (every error
path) is covered in test_credentials.py.
"""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet

from spotify_assets.cli.main import main
from spotify_assets.resources.credentials import (
    CLIENT_ID_ENV,
    CLIENT_SECRET_ENV,
    KEY_ENV,
    CredentialStore,
    mask,
)
from spotify_assets_tests.fixtures.broken_inputs import (
    BROKEN_CREDENTIALS,
    break_credentials,
    snapshot,
)
from spotify_assets_tests.fixtures.spotify import CLIENT_ID, CLIENT_SECRET

NO_ENV = {KEY_ENV: None, CLIENT_ID_ENV: None, CLIENT_SECRET_ENV: None}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "config"


@pytest.fixture
def cli(folder: Path):
    """Run ``spotify-assets credentials <command>`` on files in a temporary folder."""
    runner = CliRunner()

    def run(command: str, *args: str, input: str | None = None, env: dict | None = None):
        files = [
            "--key-file",
            str(folder / "fernet.keys"),
            "--credentials-file",
            str(folder / "credentials.fernet"),
        ]
        return runner.invoke(
            main,
            ["credentials", command, *files, *args],
            input=input,
            env={**NO_ENV, **(env or {})},
            catch_exceptions=False,
        )

    return run


def store(folder: Path, key: str | None = None) -> CredentialStore:
    return CredentialStore(
        key_file=folder / "fernet.keys", credentials_file=folder / "credentials.fernet", key=key
    )


def test_init_prompts_without_echo_and_writes_private_files(cli, folder):
    result = cli("init", input=f"{CLIENT_ID}\n{CLIENT_SECRET}\n")
    assert result.exit_code == 0, result.output
    assert CLIENT_SECRET not in result.output and CLIENT_ID not in result.output
    assert "0123************************cdef" in result.output
    assert "Created a Fernet key" in result.output
    for name in ("fernet.keys", "credentials.fernet"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    assert store(folder).load().client_secret == CLIENT_SECRET


def test_init_reads_the_environment(cli, folder):
    env = {CLIENT_ID_ENV: CLIENT_ID, CLIENT_SECRET_ENV: CLIENT_SECRET}
    result = cli("init", env=env)
    assert result.exit_code == 0 and "from the environment" in result.output
    assert store(folder).load().client_id == CLIENT_ID


def test_init_reads_two_lines_of_stdin(cli, folder):
    result = cli("init", "--stdin", input=f"{CLIENT_ID}\n{CLIENT_SECRET}\n")
    assert result.exit_code == 0 and "from standard input" in result.output
    assert store(folder).load().client_secret == CLIENT_SECRET


def test_init_with_stdin_of_the_wrong_shape(cli, folder):
    result = cli("init", "--stdin", input=f"{CLIENT_ID}\n")
    assert result.exit_code == 2 and "expects two lines" in result.output
    assert not (folder / "fernet.keys").exists()


def test_init_with_half_the_environment(cli):
    result = cli("init", env={CLIENT_ID_ENV: CLIENT_ID})
    assert result.exit_code == 2 and f"{CLIENT_SECRET_ENV} is not set" in result.output


def test_init_uses_the_key_from_the_environment(cli, folder):
    key = Fernet.generate_key().decode()
    result = cli("init", "--stdin", input=f"{CLIENT_ID}\n{CLIENT_SECRET}\n", env={KEY_ENV: key})
    assert result.exit_code == 0 and f"Fernet key from {KEY_ENV}" in result.output
    assert not (folder / "fernet.keys").exists()
    assert store(folder, key).load().client_id == CLIENT_ID


def test_init_does_not_overwrite_without_force(cli, folder):
    cli("init", "--stdin", input=f"{CLIENT_ID}\n{CLIENT_SECRET}\n")
    again = cli("init", "--stdin", input="other-id-value\nother-secret-value\n")
    assert again.exit_code == 2 and "--force" in again.output
    forced = cli("init", "--stdin", "--force", input="other-id-value\nother-secret-value\n")
    assert forced.exit_code == 0
    assert store(folder).load().client_id == "other-id-value"


def test_show_masks_the_client_id_and_never_shows_the_secret(cli):
    cli("init", "--stdin", input=f"{CLIENT_ID}\n{CLIENT_SECRET}\n")
    result = cli("show")
    assert result.exit_code == 0
    assert "Client id:        0123************************cdef" in result.output
    assert CLIENT_SECRET not in result.output and CLIENT_ID not in result.output
    assert "(1 key, newest first)" in result.output


def test_show_without_credentials_says_how_to_fix_it(cli):
    result = cli("show")
    assert result.exit_code == 2
    assert "No Fernet key" in result.output or "No Spotify credentials" in result.output
    assert "spotify-assets credentials init" in result.output
    assert "Traceback" not in result.output


def test_show_refuses_an_open_key_file(cli, folder):
    cli("init", "--stdin", input=f"{CLIENT_ID}\n{CLIENT_SECRET}\n")
    (folder / "fernet.keys").chmod(0o644)
    result = cli("show")
    assert result.exit_code == 2 and f"chmod 600 {folder / 'fernet.keys'}" in result.output


def test_show_with_a_wrong_key(cli, folder):
    cli("init", "--stdin", input=f"{CLIENT_ID}\n{CLIENT_SECRET}\n")
    result = cli("show", env={KEY_ENV: Fernet.generate_key().decode()})
    assert result.exit_code == 2 and "Cannot decrypt" in result.output
    assert "InvalidToken" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("case", BROKEN_CREDENTIALS)
@pytest.mark.parametrize("command", ["show", "rotate"])
def test_unusable_credentials_give_one_line_and_change_nothing(cli, folder, command, case):
    broken = break_credentials(folder, case)
    before = snapshot(folder)
    result = cli(command, env={KEY_ENV: broken.env_key} if broken.env_key else None)
    assert (result.exit_code, result.output) == (2, f"Error: {broken.message}\n")
    assert not [secret for secret in broken.secrets if secret in result.output]
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    ("force", "message"),
    [
        (
            [],
            "The credentials file {path} is a directory, not a file. Remove it (or use another "
            "credentials file) and run `spotify-assets credentials init`.",
        ),
        (["--force"], "{path} is a directory, not a file. Remove it and try again."),
    ],
)
def test_init_over_a_directory_says_so(cli, folder, force, message):
    path = folder / "credentials.fernet"
    path.mkdir(parents=True)
    result = cli("init", "--stdin", *force, input=f"{CLIENT_ID}\n{CLIENT_SECRET}\n")
    assert (result.exit_code, result.output) == (2, f"Error: {message.format(path=path)}\n")
    assert path.is_dir() and not list(path.iterdir())
    assert os.listdir(folder) == ["credentials.fernet"]  # no key file made either


def test_rotate_then_drop_old_keys(cli, folder):
    cli("init", "--stdin", input=f"{CLIENT_ID}\n{CLIENT_SECRET}\n")
    first_key = store(folder).load_keys().keys[0]
    rotated = cli("rotate")
    assert rotated.exit_code == 0 and "1 old key(s) kept readable" in rotated.output
    assert "(2 keys, newest first)" in cli("show").output
    ring = store(folder).load_keys()
    assert ring.keys[1] == first_key and Fernet(ring.keys[0]).decrypt(
        (folder / "credentials.fernet").read_bytes()
    )
    dropped = cli("drop-old-keys")
    assert dropped.exit_code == 0 and "Dropped 1 old key(s)" in dropped.output
    assert store(folder).load_keys().keys == (ring.keys[0],)
    assert store(folder).load().client_secret == CLIENT_SECRET


def test_rotate_with_one_key_in_the_environment_explains_how(cli):
    key = Fernet.generate_key().decode()
    cli("init", "--stdin", input=f"{CLIENT_ID}\n{CLIENT_SECRET}\n", env={KEY_ENV: key})
    result = cli("rotate", env={KEY_ENV: key})
    assert result.exit_code == 0 and "put one first" in result.output
    assert key not in result.output


def test_check_gets_a_token_from_the_sandbox(cli, sandbox):
    secret = sandbox.client_secret
    cli("init", "--stdin", input=f"{sandbox.client_id}\n{secret}\n")
    result = cli("check", "--accounts-url", sandbox.token_url)
    assert result.exit_code == 0, result.output
    assert f"OK: {sandbox.token_url} issued a bearer token" in result.output
    assert secret not in result.output


@pytest.mark.parametrize(
    ("client_id", "expected"),
    [
        ("sandbox-client-id", "invalid_client: Invalid client secret"),
        ("someone-elses-client-id", "invalid_client: Invalid client."),
    ],
)
def test_check_reports_the_exact_oauth_error(cli, sandbox, client_id, expected):
    cli("init", "--stdin", input=f"{client_id}\nnot-the-secret-value\n")
    result = cli("check", "--accounts-url", sandbox.token_url)
    assert result.exit_code == 1
    assert expected in result.output
    assert "not-the-secret-value" not in result.output


def test_check_against_nothing_says_so(cli):
    cli("init", "--stdin", input=f"{CLIENT_ID}\n{CLIENT_SECRET}\n")
    result = cli("check", "--accounts-url", "http://127.0.0.1:9/api/token", "--timeout", "2")
    assert result.exit_code == 1
    assert "Could not get a token from http://127.0.0.1:9/api/token" in result.output


def test_the_console_script_end_to_end(tmp_path, sandbox):
    """The installed ``spotify-assets`` entry point, in its own process, default paths."""
    script = Path(sys.executable).with_name("spotify-assets")
    env = {k: v for k, v in os.environ.items() if k not in NO_ENV}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    secret = "sandbox-client-secret"

    def run(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(script), "credentials", *args],
            input=input,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    init = run("init", "--stdin", input=f"sandbox-client-id\n{secret}\n")
    assert init.returncode == 0, init.stderr
    folder = tmp_path / "xdg" / "spotify-assets"
    assert stat.S_IMODE((folder / "credentials.fernet").stat().st_mode) == 0o600
    check = run("check", "--accounts-url", sandbox.token_url)
    assert check.returncode == 0, check.stderr
    assert f"issued a bearer token for client id {mask('sandbox-client-id')}" in check.stdout
    (folder / "credentials.fernet").chmod(0o640)
    refused = run("show")
    assert refused.returncode == 2
    assert f"chmod 600 {folder / 'credentials.fernet'}" in refused.stderr
    assert "Traceback" not in refused.stderr
    for output in (init, check, refused):
        assert secret not in output.stdout + output.stderr
