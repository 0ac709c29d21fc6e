"""Catalog: the warehouse's metadata, exported after gold and the report (``catalog/datahub``)."""

from spotify_assets.assets.catalog.datahub_asset import datahub_export

catalog_assets = [datahub_export]

__all__ = ["catalog_assets"]
