"""``spotify-assets catalog export``'s configuration errors: exit code 2, one line, nothing sent."""

import pytest
from click.testing import CliRunner

from spotify_assets.cli.main import main


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["--to", "file"], {}, "--to file needs a PATH"),
        (["--to", "lite", "x.json"], {}, "PATH is only for --to file"),
        (["--to", "rest"], {"SPOTIFY_ASSETS_DATAHUB_URL": ""}, "SPOTIFY_ASSETS_DATAHUB_URL"),
        (
            ["--to", "rest"],
            {
                "SPOTIFY_ASSETS_DATAHUB_URL": "http://127.0.0.1:9",
                "SPOTIFY_ASSETS_DATAHUB_RETRIES": "many",
            },
            "RETRIES",
        ),
        (["--to", "nowhere"], {}, "Invalid value for '--to'"),
    ],
)
def test_a_bad_export_setting_exits_2_naming_it(args, env, says, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SPOTIFY_ASSETS_HOME", str(tmp_path))
    result = CliRunner().invoke(main, ["catalog", "export", *args], env=env)
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert not (tmp_path / "datahub").exists()
