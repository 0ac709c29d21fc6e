"""The package list for setuptools; everything else is in pyproject.toml.

What pyproject.toml cannot say: the repository's top-level ``sql/`` ships inside the package, as
``spotify_assets/sql`` (mapped packages whose ``.sql`` files are package data), so an installed
wheel finds its SQL without the repository.
"""

from setuptools import find_namespace_packages, find_packages, setup

SQL = [
    "spotify_assets.sql",
    *(f"spotify_assets.sql.{name}" for name in find_namespace_packages("sql")),
]

setup(
    packages=[*find_packages(include=["spotify_assets", "spotify_assets.*"]), *SQL],
    package_dir={"spotify_assets.sql": "sql"},
)
