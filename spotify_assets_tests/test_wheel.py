"""The wheel an operator installs (docs/deploy.md) carries everything the code location reads.

The wheel is built from a copy of the repository and installed, with its dependencies, into a fresh
virtual environment outside it. From a folder outside the repository, on a throwaway home: the
package comes from that environment alone, `dagster definitions validate` loads the Definitions,
and `spotify-assets run` materializes every asset from the packaged SQL, watch list and instance
file (embedded PostgreSQL, offline sandbox). Editable installs are what every other test runs on.

Slow (70 s to 2 minutes, most of it pip unpacking dagster, pandas, pyarrow and PostgreSQL from its
cache): it is the only test of what actually ships.
"""

import json
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from spotify_assets.sandbox import embedded as embedded_sandbox
from spotify_assets.warehouse import embedded_postgres
from spotify_assets_tests.commands import outside_env, run

pytestmark = pytest.mark.wheel

REPOSITORY = Path(__file__).resolve().parents[1]
# What a checkout holds besides the sources; none of it may reach the build.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "test-artifacts"
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy so the build leaves nothing in the checkout."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(REPOSITORY, source, ignore=NOT_SOURCES)
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work / "dist", source],
        cwd=work,
        env=outside_env(),
        timeout=300,
    )
    (built,) = (work / "dist").glob("spotify_assets-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path) -> Iterator[Path]:
    """A fresh virtual environment outside the repository with the wheel and its dependencies.

    Not under pytest's temporary folder: the embedded PostgreSQL, run as its own user when the
    tests run as root, reads its share/ files from this venv, and every new pytest session makes
    /tmp/pytest-of-<user> private again. For the same reason the venv is readable by all, as a
    venv made with the usual umask is: an earlier test in this process may have prepared a project
    instance, which sets this process's umask to 077.
    """
    root = Path(tempfile.mkdtemp(prefix="spotify_assets_wheel_"))
    root.chmod(0o755)
    venv = root / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=root, timeout=120, umask=0o022)
    # This environment's pip installs into the new one (`--python`), from pip's warm cache.
    pip = [sys.executable, "-m", "pip", "--python", venv / "bin" / "python"]
    run(
        [*pip, "install", "-q", "--no-compile", wheel],
        cwd=root,
        env=outside_env(),
        timeout=900,
        umask=0o022,
    )
    yield venv
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def home() -> Iterator[Path]:
    """A throwaway HOME and project home, outside the repository; its servers are stopped after."""
    home = Path(tempfile.mkdtemp(prefix="spotify_assets_wheel_home_"))
    yield home
    embedded_sandbox.stop(home / "project")
    embedded_postgres.stop(home / "project")
    shutil.rmtree(home, ignore_errors=True)


def test_the_wheel_carries_the_package_folder_and_sql(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())

    def files(folder: Path, prefix: str) -> set[str]:
        return {
            f"{prefix}/{path.relative_to(folder).as_posix()}"
            for path in folder.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }

    expected = files(REPOSITORY / "spotify_assets", "spotify_assets")
    expected |= files(REPOSITORY / "sql", "spotify_assets/sql")
    assert {"spotify_assets/watchlist.yaml", "spotify_assets/instance/dagster.yaml"} <= expected
    assert "spotify_assets/sql/silver/build_artists.sql" in expected
    missing = expected - names
    assert not missing, f"the wheel lacks {sorted(missing)}"
    assert not {name for name in names if name.startswith(("sql/", "spotify_assets_tests/"))}


def test_the_installed_wheel_validates_and_runs_the_pipeline(venv: Path, home: Path) -> None:
    project = home / "project"
    env = outside_env(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        SPOTIFY_ASSETS_HOME=str(project),
        PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    where = json.loads(
        run(
            [
                venv / "bin" / "python",
                "-c",
                "import json, sys, spotify_assets as p; "
                "print(json.dumps({'package': p.__file__, 'path': sys.path}))",
            ],
            cwd=home,
            env=env,
            timeout=60,
        ).stdout
    )
    assert Path(where["package"]).is_relative_to(venv), where["package"]
    # "" on sys.path is the working directory, here the throwaway home.
    inside = [p for p in where["path"] if Path(p or home).resolve().is_relative_to(REPOSITORY)]
    assert not inside, f"the repository is on sys.path: {inside}"

    validate = run(
        [venv / "bin" / "dagster", "definitions", "validate", "-m", "spotify_assets.definitions"],
        cwd=home,
        env=env,
        timeout=300,
    )
    assert "All code locations passed validation." in validate.stdout + validate.stderr

    summary = run([venv / "bin" / "spotify-assets", "run"], cwd=home, env=env, timeout=600).stdout
    assert "succeeded" in summary and ", 0 failed." in summary, summary
    # The packaged watch list's 20 demo artists, read through the packaged SQL.
    assert any(line.split()[:2] == ["silver.artists", "20"] for line in summary.splitlines())
    assert (project / "report" / "spotify_report.html").is_file()
    # The instance file came from the wheel too.
    assert (project / "dagster" / "dagster.yaml").read_text() == (
        REPOSITORY / "spotify_assets" / "instance" / "dagster.yaml"
    ).read_text()
