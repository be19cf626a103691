"""Timed scenarios with figures (issue 7): `make bench` / `python -m benchmarks`.

Each scenario lives in its own module and runs in a fresh child process (so one
scenario's imports, caches and memory never flatter or burden another). Figures
are printed against the issue's budget; nothing here is a pass/fail test, and
`make test` never runs it.
"""
