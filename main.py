"""Thin launcher: `python main.py` is the same as `python -m session_app`."""

from session_app.app import main

if __name__ == "__main__":
    raise SystemExit(main())
