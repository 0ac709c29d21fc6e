from spotify_assets.io_managers.postgres.io_manager import PostgresPandasIOManager
from spotify_assets.io_managers.postgres.pandas_handler import DataFrameSchemaError

__all__ = ["DataFrameSchemaError", "PostgresPandasIOManager"]
