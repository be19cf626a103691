"""Clinic mode: the rooms' records mirrored on one PostgreSQL server (no Qt here)."""
