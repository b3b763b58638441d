"""The monitor sidecar: polls the dashboard's /health and /api/metrics and reports changes.

Run it with ``python -m dashboard.monitor``; ``--help`` lists the environment variables.
The pieces: ``poller`` turns HTTP responses into an ``Observation``; ``state_machine``
(pure, no I/O) turns observations into ``Transition`` records; ``loop`` logs them, hands
them to the ``webhook`` worker and writes the ``heartbeat`` file every tick.
"""
