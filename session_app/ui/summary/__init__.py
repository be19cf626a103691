"""End-of-session summary view."""
