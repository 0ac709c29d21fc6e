"""``spotify-assets catalog``: the warehouse's metadata, to DataHub and to the Markdown catalog."""

import click


@click.group()
def catalog() -> None:
    """Export the catalog to DataHub, write the Markdown catalog, or serve DataHub Lite."""
