"""session_app: patient comfort, nurse monitoring and session summary for a treatment room."""

__version__ = "0.1.0"
