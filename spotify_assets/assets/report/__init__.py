"""Report: seaborn charts of the gold tables, as PNGs and one self-contained HTML page.

Pure plotting functions (a DataFrame in, a matplotlib ``Figure`` out) live one family per module;
``spotify_report`` renders them, writes the files and previews them in the Dagster UI.
"""

from spotify_assets.assets.report.spotify_report import spotify_report

report_assets = [spotify_report]

__all__ = ["report_assets"]
