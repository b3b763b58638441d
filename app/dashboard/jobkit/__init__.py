"""What the two sidecar jobs (``dashboard.backup``, ``dashboard.monitor``) share.

``startup``: read the settings and switch to JSON logs, or report why not; ``shutdown``:
SIGTERM/SIGINT as a stop event. Settings fields and errors (``dashboard.envconfig``), the
log format (``dashboard.logging``) and atomic file writes (``dashboard.runtime.atomic``) are
shared with the dashboard itself and live beside it.
"""
