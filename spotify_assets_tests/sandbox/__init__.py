"""Tests of the offline Spotify sandbox (spotify_assets.sandbox), over real HTTP on loopback."""
