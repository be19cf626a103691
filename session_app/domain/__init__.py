"""Pure-Python clinical domain: no Qt, no SQLite. Tested with plain pytest."""
