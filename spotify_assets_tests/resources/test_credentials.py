"""Encrypted credentials: round trips, every error path, rotation, and the Dagster resource.

The CLI (init/show/check/rotate) is in test_credentials_cli.py; secrets in Dagster runs in
test_spotify_resource.py.
"""

import os
import re
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from dagster import EnvVar

from spotify_assets.resources.credentials import (
    KEY_ENV,
    CorruptFileError,
    CredentialsError,
    CredentialsMissingError,
    CredentialStore,
    InsecurePermissionsError,
    KeyMissingError,
    SpotifyCredentials,
    SpotifyCredentialsResource,
    WrongKeyError,
    default_config_dir,
    mask,
)
from spotify_assets_tests.fixtures.broken_inputs import (
    BROKEN_CREDENTIALS,
    break_credentials,
    snapshot,
)
from spotify_assets_tests.fixtures.spotify import CLIENT_ID, CLIENT_SECRET

CREDS = SpotifyCredentials(CLIENT_ID, CLIENT_SECRET)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_clean(exc: BaseException) -> None:
    """A message for people: no chained cryptography traceback, no secret."""
    assert exc.__cause__ is None and (exc.__context__ is None or exc.__suppress_context__)
    assert CLIENT_SECRET not in str(exc)


def test_round_trip_writes_private_files(credential_paths: CredentialStore):
    credential_paths.save(CREDS)
    assert credential_paths.load() == CREDS
    assert mode(credential_paths.key_file) == 0o600
    assert mode(credential_paths.credentials_file) == 0o600
    assert mode(credential_paths.key_file.parent) == 0o700
    assert CLIENT_SECRET.encode() not in credential_paths.credentials_file.read_bytes()
    assert CLIENT_ID.encode() not in credential_paths.credentials_file.read_bytes()


def test_default_location_is_the_user_config_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert default_config_dir() == tmp_path / "spotify-assets"


@pytest.mark.parametrize("bad_mode", [0o644, 0o640, 0o604, 0o660])
@pytest.mark.parametrize("which", ["key_file", "credentials_file"])
def test_files_readable_by_others_are_refused_like_ssh(credential_paths, which, bad_mode):
    credential_paths.save(CREDS)
    path = getattr(credential_paths, which)
    path.chmod(bad_mode)
    with pytest.raises(InsecurePermissionsError) as caught:
        credential_paths.load()
    message = str(caught.value)
    assert f"permissions {bad_mode:04o} for '{path}' are too open" in message
    assert f"chmod 600 {path}" in message
    path.chmod(0o600)
    assert credential_paths.load() == CREDS


def test_wrong_key_names_the_file_and_the_fix(credential_paths):
    credential_paths.save(CREDS)
    other = CredentialStore(
        key_file=credential_paths.key_file,
        credentials_file=credential_paths.credentials_file,
        key=Fernet.generate_key().decode(),
    )
    with pytest.raises(WrongKeyError) as caught:
        other.load()
    assert str(credential_paths.credentials_file) in str(caught.value)
    assert KEY_ENV in str(caught.value) and "credentials init --force" in str(caught.value)
    assert_clean(caught.value)


@pytest.mark.parametrize("case", BROKEN_CREDENTIALS)
def test_each_unusable_input_gets_its_exact_message_and_nothing_is_written(tmp_path, case):
    folder = tmp_path / "config"
    broken = break_credentials(folder, case)
    before = snapshot(folder)
    attempts = [broken.store.load, broken.store.rotate]
    if broken.env_key is None:  # with keys in the environment there is no key file to drop from
        attempts.append(broken.store.drop_old_keys)
    for attempt in attempts:
        with pytest.raises(CredentialsError) as caught:
            attempt()
        assert str(caught.value) == broken.message
        assert_clean(caught.value)
        assert not [secret for secret in broken.secrets if secret in str(caught.value)]
    assert snapshot(folder) == before


def test_a_symlinked_file_is_read_through_and_stays_linked_through_rotate_and_drop(tmp_path):
    real = CredentialStore(
        key_file=tmp_path / "secrets" / "fernet.keys",
        credentials_file=tmp_path / "secrets" / "credentials.fernet",
    )
    real.save(CREDS)
    config = tmp_path / "config"
    config.mkdir(mode=0o700)
    for path in (real.key_file, real.credentials_file):
        (config / path.name).symlink_to(path)
    linked = CredentialStore(
        key_file=config / "fernet.keys", credentials_file=config / "credentials.fernet"
    )
    assert linked.load() == CREDS
    linked.rotate()
    assert linked.drop_old_keys() == 1
    assert linked.load() == CREDS
    assert real.load() == CREDS  # what the links point at is what was rotated
    assert all(path.is_symlink() for path in (linked.key_file, linked.credentials_file))
    assert sorted(os.listdir(config)) == ["credentials.fernet", "fernet.keys"]
    real.credentials_file.chmod(0o644)  # the target's mode is what counts
    with pytest.raises(
        InsecurePermissionsError, match=re.escape(f"chmod 600 {linked.credentials_file}")
    ):
        linked.load()


def test_decryptable_but_malformed_credentials(credential_paths):
    ring, _ = credential_paths.ensure_key()
    credential_paths.credentials_file.write_bytes(ring.fernet.encrypt(b'{"client_id": "x"}'))
    credential_paths.credentials_file.chmod(0o600)
    with pytest.raises(CorruptFileError, match="does not hold a client id and secret") as caught:
        credential_paths.load()
    assert str(credential_paths.credentials_file) in str(caught.value)


def test_corrupt_key_file(credential_paths):
    credential_paths.save(CREDS)
    credential_paths.key_file.write_text("not-a-key\n")
    with pytest.raises(CorruptFileError) as caught:
        credential_paths.load()
    assert str(credential_paths.key_file) in str(caught.value)
    assert "not a Fernet key" in str(caught.value)
    assert_clean(caught.value)


def test_empty_key_file(credential_paths):
    credential_paths.save(CREDS)
    credential_paths.key_file.write_text("# only a comment\n")
    with pytest.raises(KeyMissingError, match="holds no Fernet key"):
        credential_paths.load()


def test_missing_credentials_file(credential_paths):
    credential_paths.ensure_key()
    with pytest.raises(CredentialsMissingError) as caught:
        credential_paths.load()
    assert str(credential_paths.credentials_file) in str(caught.value)
    assert "spotify-assets credentials init" in str(caught.value)


def test_missing_key(credential_paths):
    credential_paths.save(CREDS)
    credential_paths.key_file.unlink()
    with pytest.raises(KeyMissingError) as caught:
        credential_paths.load()
    assert str(credential_paths.key_file) in str(caught.value) and KEY_ENV in str(caught.value)


def test_key_from_the_environment_variable_value(credential_paths):
    key = Fernet.generate_key().decode()
    store = CredentialStore(
        key_file=credential_paths.key_file,
        credentials_file=credential_paths.credentials_file,
        key=key,
    )
    store.save(CREDS)
    assert not credential_paths.key_file.exists()  # the given key is used, no file is made
    assert store.load() == CREDS
    bad = CredentialStore(
        key_file=credential_paths.key_file,
        credentials_file=credential_paths.credentials_file,
        key="garbage",
    )
    with pytest.raises(CorruptFileError, match=KEY_ENV):
        bad.load()


def test_rotate_puts_a_new_key_first_and_keeps_the_old_one_readable(credential_paths):
    credential_paths.save(CREDS)
    old_token = credential_paths.credentials_file.read_bytes()
    [old_key] = credential_paths.load_keys().keys
    ring = credential_paths.rotate()
    assert len(ring.keys) == 2 and ring.keys[1] == old_key
    # Re-encrypted with the new key alone ...
    assert Fernet(ring.keys[0]).decrypt(credential_paths.credentials_file.read_bytes())
    assert credential_paths.load() == CREDS
    # ... while anything still encrypted with the old key stays readable.
    assert ring.fernet.decrypt(old_token)
    assert mode(credential_paths.key_file) == 0o600
    assert credential_paths.drop_old_keys() == 1
    assert credential_paths.load_keys().keys == (ring.keys[0],)
    assert credential_paths.load() == CREDS
    assert credential_paths.drop_old_keys() == 0


def test_rotate_with_keys_in_the_environment_reencrypts_with_the_first(credential_paths):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    files = {
        "key_file": credential_paths.key_file,
        "credentials_file": credential_paths.credentials_file,
    }
    CredentialStore(**files, key=old).save(CREDS)
    CredentialStore(**files, key=f"{new},{old}").rotate()
    assert CredentialStore(**files, key=new).load() == CREDS
    with pytest.raises(CredentialsError, match="editing that variable"):
        CredentialStore(**files, key=f"{new},{old}").drop_old_keys()


def test_rotate_refuses_credentials_it_cannot_read(credential_paths):
    credential_paths.save(CREDS)
    credential_paths.key_file.write_text(Fernet.generate_key().decode() + "\n")
    with pytest.raises(WrongKeyError):
        credential_paths.rotate()


def test_credentials_repr_masks_everything_secret():
    text = f"{CREDS!r} {CREDS!s} {[CREDS]}"
    assert CLIENT_SECRET not in text and CLIENT_ID not in text
    assert mask(CLIENT_ID) in text and CREDS.masked_client_id == "0123************************cdef"


@pytest.mark.parametrize("bad", ["", " padded ", "two words"])
def test_blank_or_spaced_values_are_refused_without_echo(bad):
    with pytest.raises(CredentialsError) as caught:
        SpotifyCredentials(CLIENT_ID, bad)
    assert repr(bad) not in str(caught.value)


def test_resource_decrypts_on_demand(stored_credentials: SpotifyCredentialsResource):
    assert stored_credentials.is_configured()
    assert stored_credentials.get_credentials() == CREDS


def test_resource_with_key_through_envvar(credential_paths, monkeypatch):
    key = Fernet.generate_key().decode()
    monkeypatch.setenv(KEY_ENV, key)
    CredentialStore(
        key_file=credential_paths.key_file,
        credentials_file=credential_paths.credentials_file,
        key=key,
    ).save(CREDS)
    resource = SpotifyCredentialsResource(
        fernet_key=EnvVar(KEY_ENV),
        key_file=str(credential_paths.key_file),
        credentials_file=str(credential_paths.credentials_file),
    )
    ready = resource.process_config_and_initialize()
    assert ready.fernet_key == key
    assert ready.get_credentials() == CREDS
    assert key not in repr(ready) and key not in str(ready)


def test_resource_plain_credentials_and_their_errors(monkeypatch, tmp_path):
    resource = SpotifyCredentialsResource(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        credentials_file=str(tmp_path / "absent"),
    )
    assert resource.is_configured() and resource.get_credentials() == CREDS
    assert CLIENT_SECRET not in repr(resource)
    half = SpotifyCredentialsResource(client_id=CLIENT_ID, credentials_file=str(tmp_path / "x"))
    with pytest.raises(CredentialsMissingError, match="SPOTIFY_CLIENT_SECRET is missing"):
        half.get_credentials()


def test_resource_without_anything_is_not_configured(tmp_path):
    resource = SpotifyCredentialsResource(
        key_file=str(tmp_path / "k"), credentials_file=str(tmp_path / "c")
    )
    assert not resource.is_configured()
    with pytest.raises(CredentialsMissingError):
        resource.get_credentials()


def test_write_is_atomic_and_leaves_no_temporary_files(credential_paths):
    credential_paths.save(CREDS)
    credential_paths.rotate()
    credential_paths.drop_old_keys()
    assert sorted(os.listdir(credential_paths.key_file.parent)) == [
        "credentials.fernet",
        "fernet.keys",
    ]


def test_from_environment_passes_only_variable_names(monkeypatch):
    for name in (KEY_ENV, "SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert SpotifyCredentialsResource.from_environment() == SpotifyCredentialsResource()
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", CLIENT_SECRET)
    resource = SpotifyCredentialsResource.from_environment()
    assert resource.client_secret == EnvVar("SPOTIFY_CLIENT_SECRET")
    assert resource.fernet_key is None
    assert resource.process_config_and_initialize().get_credentials() == CREDS
