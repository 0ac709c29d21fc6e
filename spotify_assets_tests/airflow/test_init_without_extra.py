"""`spotify-assets airflow init` without the airflow extra: one line naming the install, exit 2.

Not marked airflow: it runs in the main suite, where the extra is not installed; Airflow is hidden
from the child interpreter, so it holds wherever the suite runs.
"""

import os
import subprocess
import sys
from pathlib import Path

HIDE_AIRFLOW = (
    "import sys; sys.modules['airflow'] = None; sys.argv = ['spotify-assets', 'airflow', 'init']; "
    "from spotify_assets.cli import entrypoint; entrypoint()"
)


def test_init_without_the_extra_names_the_install_and_exits_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", HIDE_AIRFLOW],
        env={**os.environ, "SPOTIFY_ASSETS_HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "Error: Airflow cannot be set up: airflow not installed: install the airflow extra, "
        "pip install -e '.[airflow]'."
    ]
    assert not (tmp_path / "home" / "airflow").exists()
