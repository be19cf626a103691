"""Free text typed or pasted by staff (notes, reasons, descriptions): one rule for all.

Length is counted in characters (code points), as a nurse counts, never in the UTF-16
units a Qt text box counts; over-long text is refused whole, never cut. Control
characters (NUL, escape sequences, C1 codes) have no place in a clinical note and can
hide text in an export, so they are refused. Bidirectional controls are legitimate in
right-to-left writing but can make "evil" read as "live": they are stored as typed and
shown neutralised (`shown_plainly`).
"""

from __future__ import annotations

import unicodedata

# Embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def text_problem(text: str, max_length: int) -> str:
    """What is wrong with `text` as stored free text ("" when nothing), for the message
    "<Label>: '<text>' <problem> (accepted: …)"."""
    if len(text) > max_length:
        return f"is {len(text)} characters long"
    for char in text:
        if unicodedata.category(char) == "Cc":
            return f"contains a control character (U+{ord(char):04X}); remove it"
    return ""


def snippet(raw: str, limit: int = 24) -> str:
    """What was typed, short enough to quote in a refusal, control characters shown as �."""
    shown = "".join("\ufffd" if unicodedata.category(c) == "Cc" else c for c in raw)
    return shown if len(shown) <= limit else shown[: limit - 3] + "…"


def shown_plainly(text: str) -> str:
    """`text` for display: each bidirectional control becomes a visible [U+202E], so stored
    text always reads in the order it was typed."""
    if not BIDI_CONTROLS.intersection(text):
        return text
    return "".join(f"[U+{ord(c):04X}]" if c in BIDI_CONTROLS else c for c in text)
