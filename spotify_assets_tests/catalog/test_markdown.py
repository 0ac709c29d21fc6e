"""The Markdown catalog: the committed copy is current, its pages link up, its Mermaid renders."""

import os
import re
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from markdown_it import MarkdownIt
from psycopg import sql

from spotify_assets.catalog.markdown import COMMAND, write_catalog_docs
from spotify_assets.catalog.warehouse_columns import TablesNotBuiltError
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets_tests.browser import chromium
from spotify_assets_tests.cli_home import with_database
from spotify_assets_tests.fixtures.pipeline import BuiltWarehouse

pytestmark = pytest.mark.postgres

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "catalog"
CLI = str(Path(sys.executable).with_name("spotify-assets"))
# mermaid's major version pinned like a dependency; `npm pack` fetches it at test time.
MERMAID = "mermaid@11"


@pytest.fixture(scope="module")
def generated(built_warehouse: BuiltWarehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("catalog")
    write_catalog_docs(built_warehouse.defs, built_warehouse.postgres, out)
    return out


def _pages(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*.md"))}


def test_the_committed_catalog_is_current(generated: Path) -> None:
    fresh, committed = _pages(generated), _pages(COMMITTED)
    stale = sorted(
        name for name in fresh.keys() | committed.keys() if fresh.get(name) != committed.get(name)
    )
    assert not stale, (
        f"docs/catalog is stale ({', '.join(stale)} differ from what the code generates): "
        f"regenerate it with `{COMMAND}` (after `spotify-assets run`) and commit it."
    )


def test_every_relative_link_reaches_a_file(generated: Path) -> None:
    repository = COMMITTED.parents[1]
    links = 0
    for page in generated.rglob("*.md"):
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text()):
            # Links to sql/ leave docs/catalog: resolve them against the committed copy's place.
            base = COMMITTED / page.parent.relative_to(generated)
            assert (base / target).resolve().is_file(), f"{page.name} links to missing {target}"
            links += 1
    assert links > 100
    assert (repository / "sql" / "gold" / "build_artist_summary.sql").is_file()


def test_pages_say_what_the_issue_asks(generated: Path) -> None:
    page = (generated / "gold" / "artist_summary.md").read_text()
    assert "**Grain:** One row per watched artist." in page
    assert "| `average_track_seconds` | `double precision` | yes |  |" in page
    assert "[silver.tracks](../silver/tracks.md): `duration_ms`" in page
    assert "## Checks" in page and "`artist_summary_has_unique_ids`" in page
    assert "from gold.artist_summary" in page
    bronze = (generated / "bronze" / "artist_albums.md").read_text()
    assert "| Spotify endpoint | `GET /v1/artists/{id}/albums` |" in bronze
    report = (generated / "report" / "spotify_report.md").read_text()
    assert report.count("| **") == 7


def test_docs_on_an_empty_warehouse_name_the_command_that_builds_it(
    make_postgres, tmp_path: Path, postgres_url: str | None, postgres_home: Path
) -> None:
    from spotify_assets.definitions import defs

    with pytest.raises(TablesNotBuiltError, match=r"spotify-assets run"):
        write_catalog_docs(defs, make_postgres(), tmp_path / "catalog")
    assert not (tmp_path / "catalog").exists()

    # The command, on a fresh database, as a user on a fresh clone would meet it.
    server = PostgresResource(url=postgres_url, home=str(postgres_home)).target_url
    database = f"catalog_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(database)))
    try:
        result = subprocess.run(
            [CLI, "catalog", "docs", "--out", str(tmp_path / "out")],
            env={
                **os.environ,
                "SPOTIFY_ASSETS_HOME": str(tmp_path / "home"),
                "SPOTIFY_ASSETS_DATABASE_URL": with_database(server, database),
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(database)))
    assert result.returncode == 1, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert "has no table" in line and "`spotify-assets run`" in line
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def mermaid_js(tmp_path_factory) -> Path:
    """mermaid.min.js from the npm registry (not vendored: 3 MB that would go stale)."""
    folder = tmp_path_factory.mktemp("mermaid")
    packed = subprocess.run(
        ["npm", "pack", MERMAID, "--silent"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()[-1]
    with tarfile.open(folder / packed) as archive:
        archive.extract("package/dist/mermaid.min.js", folder, filter="data")
    return folder / "package" / "dist" / "mermaid.min.js"


def test_the_index_lineage_renders_as_a_mermaid_diagram(
    generated: Path, mermaid_js: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium()
    body = MarkdownIt("commonmark").enable("table").render((generated / "index.md").read_text())
    # GitHub renders ```mermaid fences with mermaid.js; so does this page.
    body, diagrams = re.subn(
        r'<pre><code class="language-mermaid">(.*?)</code></pre>',
        lambda m: f'<pre class="mermaid">{m.group(1)}</pre>',
        body,
        flags=re.S,
    )
    assert diagrams == 1
    page = tmp_path / "index.html"
    page.write_text(
        f"<!doctype html><meta charset='utf-8'><title>catalog</title>"
        f"<script src='{mermaid_js.as_uri()}'></script><body>{body}<script>"
        "mermaid.initialize({startOnLoad: false});"
        "mermaid.run().then(() => document.body.dataset.rendered = 'yes')"
        ".catch(e => document.body.dataset.rendered = 'error: ' + e);"
        "</script></body>"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            tab = browser.new_page(viewport={"width": 1600, "height": 1200})
            tab.goto(page.as_uri())
            tab.wait_for_function("document.body.dataset.rendered !== undefined", timeout=30_000)
            outcome = tab.evaluate("document.body.dataset.rendered")
            assert outcome == "yes", outcome
            svg = tab.locator("pre.mermaid svg")
            assert svg.count() == 1
            labels = svg.locator("g.node").evaluate_all("nodes => nodes.map(n => n.textContent)")
            assert "Syntax error" not in svg.text_content()
            svg.screenshot(path=str(tmp_path / "lineage.png"))
        finally:
            browser.close()
    tables = re.findall(r"^\| \[(\w+\.\w+)\]", (generated / "index.md").read_text(), re.M)
    assert len(labels) == len(tables) + 1  # every table, and the report
    assert {label.strip() for label in labels} >= {"artist_summary", "tracks", "quarantine"}
    assert (tmp_path / "lineage.png").stat().st_size > 10_000
