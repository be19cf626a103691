"""domain/text: bidirectional controls shown, never obeyed; refusals quote text safely."""

from __future__ import annotations

from session_app.domain.text import shown_plainly, snippet, text_problem


def test_a_right_to_left_override_is_shown_not_obeyed() -> None:
    assert shown_plainly("\u202eevil") == "[U+202E]evil"
    assert shown_plainly("a\u2066b\u2069c") == "a[U+2066]b[U+2069]c"


def test_right_to_left_writing_without_controls_is_left_as_it_is() -> None:
    hebrew = "\u05e9\u05dc\u05d5\u05dd and \u200fmarks"  # RLM is a mark, not an override
    assert shown_plainly(hebrew) == hebrew


def test_length_counts_characters_not_utf16_units() -> None:
    assert text_problem("\N{GRINNING FACE}" * 10, 10) == ""
    assert text_problem("\N{GRINNING FACE}" * 11, 10) == "is 11 characters long"


def test_a_refusal_quotes_no_control_character() -> None:
    assert snippet("a\x00b\x1b") == "a\ufffdb\ufffd"
    assert snippet("x" * 30) == "x" * 21 + "…"
