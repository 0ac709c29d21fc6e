"""Debian's Chromium for the browser checks (Playwright cannot download browsers here)."""

import os
import shutil

import pytest


def chromium() -> str:
    """The Chromium executable; CI fails without it, elsewhere the check is skipped."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(
                "CI must run the browser check: install Chromium (apt-get install chromium)."
            )
        pytest.skip("Chromium is not installed (apt-get install chromium); CI runs this check.")
    return path
