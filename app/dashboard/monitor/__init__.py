"""The monitor sidecar: polls the dashboard's /health and /api/metrics and reports changes.

Run it with ``python -m dashboard.monitor``; ``--help`` lists the environment variables.
It watches the service through the proxy and each replica by name (``targets``). The
pieces: ``poller`` turns HTTP responses into an ``Observation``; ``state_machine``
(pure, no I/O) turns observations into ``Transition`` records, one machine per target;
``loop`` polls the targets side by side, logs their transitions, hands them to the
``webhook`` worker and writes the ``heartbeat`` file every tick.
"""
