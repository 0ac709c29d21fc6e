"""``python -m spotify_assets.sandbox serve ...``: the same as ``spotify-assets sandbox serve``.

The shared background sandbox is started this way, since the ``spotify-assets`` script need not be
on the PATH of the process starting it.
"""

from spotify_assets.cli.sandbox import sandbox

if __name__ == "__main__":
    sandbox(prog_name="spotify-assets sandbox")
