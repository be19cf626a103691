"""The charge nurse's station: a read-only board of every room (issue 16)."""
