"""The warehouse both writers stand on: connections and URLs, the embedded server, SQL files, DDL.

The Postgres IO manager (``io_managers/postgres``) and the SQL-built assets (``sql_assets``) each
import from here and never from each other.
"""
