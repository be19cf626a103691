"""`python -m session_app` starts the same app as `session-app` and `main.py`."""

from session_app.app import main

raise SystemExit(main())
