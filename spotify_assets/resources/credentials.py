"""Spotify app credentials, encrypted at rest with Fernet.

Two private files, by default in the user's config directory (``platformdirs``):

- the **key file** holds one Fernet key per line, newest first. ``rotate`` puts a new key first
  and re-encrypts with it (``MultiFernet``); the older keys stay readable until
  ``drop_old_keys``. The keys may instead come from ``SPOTIFY_ASSETS_FERNET_KEY`` (same order,
  comma-separated), which is how Dagster gets them (``EnvVar``).
- the **credentials file** holds one Fernet token wrapping ``{"client_id", "client_secret"}``.

Both must be private to their owner (mode 0600), as ssh demands of private keys. Every failure is
a :class:`CredentialsError` naming the file and the fix; ``cryptography`` exceptions never leak.
Plain ``client_id``/``client_secret`` (from ``SPOTIFY_CLIENT_ID``/``SPOTIFY_CLIENT_SECRET``) are
accepted too, for CI and for the offline sandbox, whose credentials are not secret.
"""

import base64
import contextlib
import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from dagster import ConfigurableResource, EnvVar
from pydantic import Field

KEY_ENV = "SPOTIFY_ASSETS_FERNET_KEY"
CLIENT_ID_ENV = "SPOTIFY_CLIENT_ID"
CLIENT_SECRET_ENV = "SPOTIFY_CLIENT_SECRET"
APP_NAME = "spotify-assets"
KEY_FILE_NAME = "fernet.keys"
CREDENTIALS_FILE_NAME = "credentials.fernet"

_KEY_FILE_HEADER = (
    "# spotify-assets Fernet keys, newest first: the first encrypts, all decrypt.\n"
    "# Keep this file private (chmod 600). Drop old keys with `spotify-assets credentials drop-old-keys`.\n"
)


class CredentialsError(RuntimeError):
    """Credentials cannot be used; the message names the file and how to fix it."""


class InsecurePermissionsError(CredentialsError):
    """A key or credentials file is readable or writable by group or others."""


class KeyMissingError(CredentialsError):
    """No Fernet key: neither the environment variable nor the key file provides one."""


class CredentialsMissingError(CredentialsError):
    """No credentials are stored."""


class WrongKeyError(CredentialsError):
    """The credentials file was encrypted with a key we do not have."""


class CorruptFileError(CredentialsError):
    """A key or credentials file is not in the expected format."""


def default_config_dir() -> Path:
    """Where the key and credentials files live unless configured otherwise."""
    return Path(platformdirs.user_config_dir(APP_NAME))


def default_key_file() -> Path:
    return default_config_dir() / KEY_FILE_NAME


def default_credentials_file() -> Path:
    return default_config_dir() / CREDENTIALS_FILE_NAME


def mask(value: str) -> str:
    """Enough of an identifier to recognise it, never enough to use it."""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


@dataclass(frozen=True)
class SpotifyCredentials:
    """A Spotify app's client id and secret; the secret never shows in reprs or messages."""

    client_id: str
    client_secret: str = field(repr=False)

    def __post_init__(self) -> None:
        for name in ("client_id", "client_secret"):
            value = getattr(self, name)
            if not value or value != value.strip() or any(c.isspace() for c in value):
                raise CredentialsError(
                    f"The Spotify {name.replace('_', ' ')} is empty or contains whitespace; copy it "
                    "again from https://developer.spotify.com/dashboard (app settings)."
                )

    @property
    def masked_client_id(self) -> str:
        return mask(self.client_id)

    def __repr__(self) -> str:
        return f"SpotifyCredentials(client_id={self.masked_client_id!r}, client_secret='***')"

    __str__ = __repr__


def check_private(path: Path, *, what: str) -> None:
    """Refuse a file that group or others may read or write, the way ssh refuses private keys."""
    if os.name == "nt":  # POSIX permission bits mean nothing there; ACLs are the user's business.
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise InsecurePermissionsError(
            f"UNPROTECTED {what.upper()}: permissions {mode:04o} for '{path}' are too open. "
            f"It is required that your {what} is not accessible by others; it is ignored. "
            f"Fix: chmod 600 {path}"
        )


def read_private(path: Path, *, what: str, fix: str) -> bytes:
    """The bytes of a private file; a directory, open permissions or an unreadable file is a
    :class:`CredentialsError` saying so (``fix`` says what to do)."""
    if path.is_dir():
        raise CorruptFileError(f"The {what} {path} is a directory, not a file. {fix}")
    check_private(path, what=what)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CredentialsError(f"Cannot read the {what} {path} ({exc.strerror}). {fix}") from None


def refuse_directory(path: Path) -> None:
    """A file cannot be written where a directory stands; say so before anything is written."""
    if path.is_dir():
        raise CorruptFileError(f"{path} is a directory, not a file. Remove it and try again.")


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, mode 0600, creating a private parent directory.

    A symlink is written through to its target, so a file linked from elsewhere stays linked.
    """
    path = path.resolve()
    refuse_directory(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mkstemp creates 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _parse_keys(text: str, *, origin: str, fix: str) -> list[bytes]:
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    keys = [part.strip().encode() for line in lines for part in line.split(",") if part.strip()]
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise CorruptFileError(
                f"Key {number} in {origin} is not a Fernet key (32 url-safe base64-encoded bytes). {fix}"
            ) from None
    if not keys:
        raise KeyMissingError(f"{origin} holds no Fernet key. {fix}")
    return keys


@dataclass(frozen=True)
class KeyRing:
    """The Fernet keys in use, newest first, and where they came from."""

    keys: tuple[bytes, ...] = field(repr=False)
    origin: str
    key_file: Path | None

    @property
    def fernet(self) -> MultiFernet:
        return MultiFernet([Fernet(key) for key in self.keys])

    def __repr__(self) -> str:
        return f"KeyRing({len(self.keys)} key(s) from {self.origin})"


class CredentialStore:
    """The key ring and the encrypted credentials file: read, write, rotate.

    Args:
        key_file: where the Fernet keys live (used when ``key`` is empty).
        credentials_file: the encrypted credentials.
        key: Fernet key(s) given directly, newest first, comma-separated (e.g. from
            ``SPOTIFY_ASSETS_FERNET_KEY``); overrides ``key_file``.
    """

    def __init__(self, *, key_file: Path, credentials_file: Path, key: str | None = None) -> None:
        self.key_file = key_file
        self.credentials_file = credentials_file
        self._key = key or None

    def __repr__(self) -> str:
        return (
            f"CredentialStore(key_file={self.key_file}, credentials_file={self.credentials_file})"
        )

    @property
    def key_from_env(self) -> bool:
        return self._key is not None

    def has_key(self) -> bool:
        return self._key is not None or self.key_file.exists()

    def has_credentials(self) -> bool:
        return self.credentials_file.exists()

    def load_keys(self) -> KeyRing:
        if self._key is not None:
            keys = _parse_keys(
                self._key,
                origin=KEY_ENV,
                fix=f"Set {KEY_ENV} to the key(s) the credentials were encrypted with, or unset it "
                f"to use the key file {self.key_file}.",
            )
            return KeyRing(tuple(keys), KEY_ENV, None)
        if not self.key_file.exists():
            raise KeyMissingError(
                f"No Fernet key: {KEY_ENV} is not set and the key file {self.key_file} does not "
                "exist. Run `spotify-assets credentials init` to create it, or set "
                f"{KEY_ENV} to the key your credentials were encrypted with."
            )
        origin = f"the key file {self.key_file}"
        fix = (
            "Restore it from a backup, or delete it and the credentials file "
            f"{self.credentials_file} and run `spotify-assets credentials init`."
        )
        raw = read_private(self.key_file, what="key file", fix=fix)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CorruptFileError(
                f"{origin[0].upper()}{origin[1:]} is not text (byte {raw[exc.start]:#04x} at "
                f"offset {exc.start}), so it holds no Fernet keys. {fix}"
            ) from None
        keys = _parse_keys(text, origin=origin, fix=fix)
        return KeyRing(tuple(keys), f"the key file {self.key_file}", self.key_file)

    def ensure_key(self) -> tuple[KeyRing, bool]:
        """The key ring, creating a key file with one new key if there is none. True if created."""
        if self.has_key():
            return self.load_keys(), False
        self._write_keys([Fernet.generate_key()])
        return self.load_keys(), True

    def _write_keys(self, keys: list[bytes]) -> None:
        write_private(self.key_file, _KEY_FILE_HEADER + "".join(f"{k.decode()}\n" for k in keys))

    def read_token(self) -> bytes:
        if not self.credentials_file.exists():
            raise CredentialsMissingError(
                f"No Spotify credentials stored: {self.credentials_file} does not exist. Run "
                "`spotify-assets credentials init` (or set SPOTIFY_CLIENT_ID and "
                "SPOTIFY_CLIENT_SECRET)."
            )
        fix = (
            "Remove it (or use another credentials file) and run `spotify-assets credentials init`."
        )
        return read_private(self.credentials_file, what="credentials file", fix=fix).strip()

    def load(self) -> SpotifyCredentials:
        """Decrypt the credentials file."""
        return decrypt_credentials(
            self.read_token(), self.load_keys(), source=self.credentials_file
        )

    def save(self, credentials: SpotifyCredentials) -> KeyRing:
        """Encrypt ``credentials`` with the newest key (made if missing) and write them, 0600."""
        refuse_directory(self.credentials_file)
        ring, _ = self.ensure_key()
        payload = json.dumps(
            {"client_id": credentials.client_id, "client_secret": credentials.client_secret}
        )
        write_private(self.credentials_file, ring.fernet.encrypt(payload.encode()).decode() + "\n")
        return ring

    def rotate(self) -> KeyRing:
        """Re-encrypt with a new key put first; old keys stay readable until ``drop_old_keys``.

        With the keys in ``SPOTIFY_ASSETS_FERNET_KEY`` no key is generated (we cannot write the
        variable): the credentials are re-encrypted with the first key listed there.
        """
        ring = self.load_keys()
        token = self.read_token()
        decrypt_credentials(token, ring, source=self.credentials_file)
        if ring.key_file is not None:
            self._write_keys([Fernet.generate_key(), *ring.keys])
            ring = self.load_keys()
        write_private(self.credentials_file, ring.fernet.rotate(token).decode() + "\n")
        return ring

    def drop_old_keys(self) -> int:
        """Keep only the newest key (re-encrypting with it first). Returns how many were dropped."""
        ring = self.load_keys()
        if ring.key_file is None:
            raise CredentialsError(
                f"The keys come from {KEY_ENV}; drop old ones by editing that variable (keep the "
                "first key)."
            )
        if self.credentials_file.exists():
            token = self.read_token()
            decrypt_credentials(token, ring, source=self.credentials_file)
            write_private(self.credentials_file, ring.fernet.rotate(token).decode() + "\n")
        self._write_keys([ring.keys[0]])
        return len(ring.keys) - 1


def _is_fernet_token(token: bytes) -> bool:
    """True if ``token`` has a Fernet token's shape (version byte, timestamp, IV, whole AES blocks,
    HMAC), so a failed decryption means another key rather than a damaged file."""
    try:
        data = base64.urlsafe_b64decode(token)
    except ValueError:
        return False
    body = len(data) - (1 + 8 + 16 + 32)
    return data[:1] == b"\x80" and body > 0 and body % 16 == 0


def decrypt_credentials(token: bytes, ring: KeyRing, *, source: Path | str) -> SpotifyCredentials:
    """Decrypt a credentials token; wrong keys and corrupt data become clear errors."""
    if not _is_fernet_token(token):
        raise CorruptFileError(
            f"{source} is not a Fernet token: the file is damaged or is not a credentials file. "
            "Restore it from a backup, or run `spotify-assets credentials init --force` to store "
            "the credentials again."
        )
    try:
        plain = ring.fernet.decrypt(token)
    except InvalidToken:
        raise WrongKeyError(
            f"Cannot decrypt {source} with {ring.origin}: the file was encrypted with another "
            "key, or it is damaged. Use the key it was written with (the key file it came with, or "
            f"{KEY_ENV}), or run `spotify-assets credentials init --force` to store the "
            "credentials again."
        ) from None
    try:
        data = json.loads(plain)
        return SpotifyCredentials(client_id=data["client_id"], client_secret=data["client_secret"])
    except (ValueError, KeyError, TypeError):
        raise CorruptFileError(
            f"{source} decrypts but does not hold a client id and secret. Run "
            "`spotify-assets credentials init --force` to store them again."
        ) from None


class SpotifyCredentialsResource(ConfigurableResource):
    """The Spotify app's client id and secret, decrypted on demand from the Fernet-encrypted file.

    Give the key as ``EnvVar("SPOTIFY_ASSETS_FERNET_KEY")`` (or leave it empty to read the key
    file). ``client_id``/``client_secret`` bypass the encrypted file (set them through ``EnvVar``).
    """

    fernet_key: str | None = Field(
        default=None,
        description=f"Fernet key(s), newest first, comma-separated; set through EnvVar('{KEY_ENV}'). "
        "Empty: read key_file.",
    )
    key_file: str | None = Field(
        default=None, description="Key file (mode 0600); empty: <user config dir>/fernet.keys."
    )
    credentials_file: str | None = Field(
        default=None,
        description="Encrypted credentials (mode 0600); empty: <user config dir>/credentials.fernet.",
    )
    client_id: str | None = Field(
        default=None,
        description=f"Plain client id (EnvVar('{CLIENT_ID_ENV}')); with client_secret it replaces "
        "the encrypted file.",
    )
    client_secret: str | None = Field(
        default=None,
        description=f"Plain client secret; only ever through EnvVar('{CLIENT_SECRET_ENV}').",
    )

    def __repr_args__(self):  # type: ignore[override]
        # The resolved values of EnvVar fields would otherwise print in reprs and tracebacks.
        for name, value in super().__repr_args__():
            yield name, ("***" if value and name in ("fernet_key", "client_secret") else value)

    @classmethod
    def from_environment(cls) -> "SpotifyCredentialsResource":
        """For ``definitions.py``: each variable that is set arrives as an ``EnvVar`` (so the UI
        shows its name, never its value); the rest falls back to the default files."""
        present = {
            name for name in (KEY_ENV, CLIENT_ID_ENV, CLIENT_SECRET_ENV) if os.environ.get(name)
        }

        def env(name: str) -> EnvVar | None:
            return EnvVar(name) if name in present else None

        return cls(
            fernet_key=env(KEY_ENV),
            client_id=env(CLIENT_ID_ENV),
            client_secret=env(CLIENT_SECRET_ENV),
        )

    @property
    def store(self) -> CredentialStore:
        return CredentialStore(
            key_file=Path(self.key_file).expanduser() if self.key_file else default_key_file(),
            credentials_file=Path(self.credentials_file).expanduser()
            if self.credentials_file
            else default_credentials_file(),
            key=self.fernet_key,
        )

    def is_configured(self) -> bool:
        """True if credentials are given: in plain config, or as a stored (encrypted) file."""
        return bool(self.client_id or self.client_secret) or self.store.has_credentials()

    def get_credentials(self) -> SpotifyCredentials:
        """Decrypt (or take) the credentials now; raises :class:`CredentialsError` with the fix."""
        if self.client_id or self.client_secret:
            if not (self.client_id and self.client_secret):
                missing = CLIENT_SECRET_ENV if self.client_id else CLIENT_ID_ENV
                raise CredentialsMissingError(
                    f"Only half of the plain Spotify credentials are set: {missing} is missing. "
                    f"Set both {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV}, or neither to use the "
                    "encrypted credentials file."
                )
            return SpotifyCredentials(client_id=self.client_id, client_secret=self.client_secret)
        return self.store.load()
