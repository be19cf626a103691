"""SQLite persistence (stdlib sqlite3). Append-only records; no Qt."""

from session_app.store.db import NewerSchemaError, NotADatabaseError, StoreError, StoreWriteError
from session_app.store.repository import SessionStore

__all__ = ["NewerSchemaError", "NotADatabaseError", "SessionStore", "StoreError", "StoreWriteError"]
