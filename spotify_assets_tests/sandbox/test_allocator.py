import platform
import subprocess
import sys


def test_large_blocks_are_kept_where_malloc_is_glibcs():
    # In a child process: the setting is process-wide and would outlive the test here.
    kept = subprocess.run(
        [sys.executable, "-c", "from spotify_assets.sandbox import allocator as a; print(a.keep_large_blocks())"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert kept == str(platform.libc_ver()[0] == "glibc")
