"""The backup sidecar: archives the data volume and the ticket tree on a cron schedule.

Run it with ``python -m dashboard.backup``; ``--help`` lists the subcommands and the
environment variables. What it shares with ``dashboard.monitor``, the other sidecar
job, lives in ``dashboard.jobkit``.
"""
