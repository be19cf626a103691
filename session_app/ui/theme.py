"""Load QSS themes from assets/themes (styles live in files, not in code)."""

from __future__ import annotations

from session_app.paths import THEMES_DIR


def load_qss(name: str) -> str:
    path = THEMES_DIR / f"{name}.qss"
    return path.read_text(encoding="utf-8") if path.exists() else ""
