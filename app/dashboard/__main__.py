"""`python -m dashboard`: serve the ticket dashboard (see --help)."""

from __future__ import annotations

import argparse
import sys

from dashboard.envconfig import ConfigurationError, environment_help, load_settings
from dashboard.logging import configure_logging
from dashboard.settings import Settings

DESCRIPTION = """\
Serve the ticket dashboard: a web page and JSON API over a tree of Markdown tickets
(<TICKETS_DIR>/planning/tickets/**/*.md), kept in memory and updated live as files change.

Runs gunicorn with one worker process and DASHBOARD_THREADS threads, bound to
DASHBOARD_HOST:DASHBOARD_PORT. SIGTERM first fails /ready and keeps serving for
DASHBOARD_DRAIN_SECONDS, then stops within about 5 s more. All configuration comes from
the environment; an invalid value stops start-up with exit code 2 and one line naming
the variable."""


def build_parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog="python -m dashboard",
        description=DESCRIPTION,
        epilog=environment_help(Settings),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def main(argv: list[str] | None = None) -> int:
    build_parser().parse_args(argv)
    try:
        settings = load_settings(Settings)
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    # Imported late so that --help and configuration errors need neither flask nor gunicorn.
    from dashboard.server import DashboardServer

    DashboardServer(settings).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
