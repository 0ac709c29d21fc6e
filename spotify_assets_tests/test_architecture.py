"""The map in docs/architecture.md stays true: every package folder is on it, and its import rules hold.

Imports are read with ``ast`` (every ``import``, at module level or inside a function), so a rule
breaks the build the moment a module crosses it, before any code runs.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
PACKAGE = REPOSITORY / "spotify_assets"
MAP = REPOSITORY / "docs" / "architecture.md"

TOOLING = ("spotify_assets.cli", "spotify_assets.instance")
WIRING = (
    "spotify_assets.definitions",
    "spotify_assets.jobs",
    "spotify_assets.sensors",
    "spotify_assets.schedules",
)
PIPELINE = (
    "spotify_assets.assets",
    "spotify_assets.sql_assets",
    "spotify_assets.io_managers",
    *TOOLING,
    *WIRING,
)

# The catalog layer comes after every other: only assets/catalog/ reads the catalog model.
CATALOG = ("spotify_assets.assets.catalog", "spotify_assets.catalog")

# Importer (a module or package) -> the modules it must not import (each with its submodules).
FORBIDDEN = {
    "spotify_assets.warehouse": (*PIPELINE, "spotify_assets.resources", "spotify_assets.sandbox"),
    "spotify_assets.io_managers": ("spotify_assets.sql_assets", "spotify_assets.assets"),
    "spotify_assets.sql_assets": ("spotify_assets.io_managers", "spotify_assets.assets"),
    "spotify_assets.assets": ("spotify_assets.io_managers", *TOOLING, *WIRING),
    "spotify_assets.assets.bronze": (
        "spotify_assets.assets.silver",
        "spotify_assets.assets.gold",
        "spotify_assets.assets.report",
        *CATALOG,
    ),
    "spotify_assets.assets.silver": (
        "spotify_assets.assets.gold",
        "spotify_assets.assets.report",
        *CATALOG,
    ),
    "spotify_assets.assets.gold": ("spotify_assets.assets.report", *CATALOG),
    "spotify_assets.assets.report": CATALOG,
    "spotify_assets.resources": PIPELINE,
    # The sandbox starts itself in the background through its own command line (cli/), nothing else.
    "spotify_assets.sandbox": (
        "spotify_assets.assets",
        "spotify_assets.sql_assets",
        "spotify_assets.io_managers",
        "spotify_assets.warehouse",
        "spotify_assets.instance",
        *WIRING,
    ),
    "spotify_assets.catalog": (
        "spotify_assets.assets",
        "spotify_assets.io_managers",
        *TOOLING,
        *WIRING,
    ),
    "spotify_assets.airflow": (*PIPELINE, "spotify_assets.resources", "spotify_assets.warehouse"),
    "spotify_assets.definitions": TOOLING,
    "spotify_assets.celery_executor": TOOLING,
    "spotify_assets.jobs": TOOLING,
    "spotify_assets.sensors": TOOLING,
    "spotify_assets.schedules": TOOLING,
    "spotify_assets": ("spotify_assets_tests",),
}


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, root: Path = PACKAGE) -> Iterator[str]:
    """Every module ``path`` imports, as absolute names (``from x import y`` yields x and x.y)."""
    package = _module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def violations(root: Path = PACKAGE) -> list[str]:
    """One line per module and rule it crosses, naming the first import that crosses it."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        importer = _module_name(path, root)
        rules = [
            (owner, forbidden) for owner, forbidden in FORBIDDEN.items() if _within(importer, owner)
        ]
        for imported in sorted(set(_imports(path, root))):
            for owner, forbidden in rules:
                # A package's own modules may import each other.
                if _within(imported, owner):
                    continue
                for prefix in forbidden:
                    if _within(imported, prefix):
                        found.setdefault(
                            (importer, prefix),
                            f"{importer} imports {imported} ({owner} may not import {prefix})",
                        )
    return sorted(found.values())


def test_no_module_crosses_an_import_rule() -> None:
    assert violations() == []


# The packages the map lists exhaustively: everything of the project they may import.
ALLOWED = {
    "warehouse": (
        "spotify_assets.settings",
        "spotify_assets.locks",
        "spotify_assets.background_server",
    ),
    "io_managers": ("spotify_assets.warehouse",),
    "sql_assets": ("spotify_assets.warehouse", "spotify_assets.constants"),
    "airflow": ("spotify_assets.constants", "spotify_assets.catalog.urns"),
}


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_the_shared_packages_import_only_what_the_map_allows(folder: str) -> None:
    own = f"spotify_assets.{folder}"
    imported = {
        name
        for path in (PACKAGE / folder).rglob("*.py")
        for name in _imports(path)
        if _within(name, "spotify_assets") and not _within(name, own)
    }
    # ``from spotify_assets import settings`` also yields the bare package name.
    outside = sorted(
        name
        for name in imported - {"spotify_assets"}
        if not any(_within(name, allowed) for allowed in ALLOWED[folder])
    )
    assert outside == []


@pytest.mark.parametrize(
    ("source", "importer", "rule"),
    [
        (
            "from spotify_assets.sql_assets import TableSpec\n",
            "io_managers/postgres/x.py",
            "sql_assets",
        ),
        ("import spotify_assets.io_managers.postgres\n", "sql_assets/x.py", "io_managers"),
        ("def f():\n    from spotify_assets.cli import main\n", "assets/bronze/x.py", "cli"),
        ("from ..silver import SPEC\n", "assets/bronze/x.py", "assets.silver"),
    ],
)
def test_a_crossing_import_is_reported(
    tmp_path: Path, source: str, importer: str, rule: str
) -> None:
    """The checker itself: each kind of forbidden import, absolute, late or relative, is caught."""
    package = tmp_path / "spotify_assets"
    module = package / importer
    module.parent.mkdir(parents=True)
    module.write_text(source, encoding="utf-8")
    found = violations(package)
    assert len(found) == 1 and f"may not import spotify_assets.{rule}" in found[0], found


def test_the_map_names_every_package_folder() -> None:
    text = MAP.read_text(encoding="utf-8")
    folders = sorted(
        init.parent.relative_to(PACKAGE).as_posix()
        for init in PACKAGE.rglob("__init__.py")
        if init.parent != PACKAGE
    )
    assert folders
    missing = [folder for folder in folders if f"{folder}/" not in text]
    assert missing == [], f"docs/architecture.md does not mention {missing}; add a row for each."


def test_the_map_has_one_mermaid_diagram_from_the_watch_list_to_the_report() -> None:
    text = MAP.read_text(encoding="utf-8")
    assert text.count("```mermaid") == 1
    diagram = text.split("```mermaid", 1)[1].split("```", 1)[0]
    assert "watchlist.yaml" in diagram and "report" in diagram
