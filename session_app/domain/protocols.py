"""Protocol presets. Each preset's values are clinic settings; a session snapshots them."""

from __future__ import annotations

IV_KETAMINE = "IV ketamine"
ESKETAMINE_REMS = "Esketamine nasal spray (REMS)"
PRESET_NAMES: tuple[str, ...] = (IV_KETAMINE, ESKETAMINE_REMS)
