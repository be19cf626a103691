"""Where the app's own files are. Imports nothing, so any layer may use it."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = REPO_ROOT / "assets"
THEMES_DIR = ASSETS_DIR / "themes"
MEDIA_DIR = ASSETS_DIR / "media"
