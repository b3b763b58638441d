"""The backup sidecar: archives the data volume and the ticket tree on a cron schedule.

Run it with ``python -m dashboard.backup``; ``--help`` lists the subcommands and the
environment variables. A few modules here (``json_log``, ``atomic_json``,
``config_errors``) are shared with ``dashboard.monitor``, the other sidecar job.
"""
