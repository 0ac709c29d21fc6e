"""``spotify-assets catalog``: the warehouse's metadata, to DataHub and to the Markdown catalog."""

from pathlib import Path

import click

from spotify_assets.warehouse.sql_files import SQL_ROOT

# In a clone, sql/ sits at the top of the repository, beside docs/.
_CLONE_DOCS = SQL_ROOT.parent / "docs"


@click.group()
def catalog() -> None:
    """Export the catalog to DataHub, write the Markdown catalog, or serve DataHub Lite."""


@catalog.command("docs")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the pages (default: docs/catalog of the repository, when run from a clone).",
)
def docs(out: Path | None) -> None:
    """Write the Markdown data catalog (index.md and one page per table) from the warehouse.

    Column types are read from the warehouse, so every table must be built first
    (`spotify-assets run`); the pages hold no row counts or times, so they change only with the
    code or the schema.
    """
    if out is None:
        if not (_CLONE_DOCS / "architecture.md").is_file():
            raise click.UsageError(
                "Not run from a clone of the repository (no docs/ beside sql/): pass --out FOLDER."
            )
        out = _CLONE_DOCS / "catalog"
    from spotify_assets.catalog.markdown import write_catalog_docs
    from spotify_assets.definitions import defs, postgres

    # The code location's warehouse, its EnvVar resolved as a run resolves it.
    written = write_catalog_docs(defs, postgres.process_config_and_initialize(), out)
    click.echo(f"Wrote {len(written)} pages to {out}.")
