"""Command line of the backup job: ``python -m dashboard.backup {run,daemon,list,restore}``.

Exit status: 0 success, 1 the operation failed, 2 invalid configuration or usage.
"""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from dashboard.backup.daemon import BackupDaemon
from dashboard.backup.job import log_failure, run_backup
from dashboard.backup.naming import list_archives
from dashboard.backup.restore import RestoreError, restore_archive
from dashboard.backup.settings import BackupSettings
from dashboard.envconfig import environment_help
from dashboard.jobkit.shutdown import stop_on_signals
from dashboard.jobkit.startup import EXIT_CONFIGURATION, start_job

logger = logging.getLogger("dashboard.backup")

EXIT_OK, EXIT_FAILED = 0, 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.backup",
        description="Back up the dashboard's data volume and ticket tree as tar.gz archives.",
        epilog=environment_help(BackupSettings),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="make one verified archive now")
    daemon = commands.add_parser("daemon", help="back up on the schedule and apply retention")
    daemon.add_argument(
        "--once-at-start",
        action="store_true",
        help="also back up immediately (same as DASHBOARD_BACKUP_ON_START=true)",
    )
    commands.add_parser("list", help="list this job's archives, oldest first")
    restore = commands.add_parser("restore", help="extract an archive into an empty directory")
    restore.add_argument("archive", help="archive path, or a name inside DASHBOARD_BACKUP_DIR")
    restore.add_argument("target_dir", type=Path, help="empty or missing directory")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = start_job(BackupSettings)
    if settings is None:
        return EXIT_CONFIGURATION
    handlers = {"run": _run, "daemon": _daemon, "list": _list, "restore": _restore}
    return handlers[args.command](settings, args)


def _run(settings: BackupSettings, _args: argparse.Namespace) -> int:
    stop = threading.Event()
    stop_on_signals(stop)
    try:
        run_backup(settings, stop)
    except Exception as error:
        log_failure(error)
        return EXIT_FAILED
    return EXIT_OK


def _daemon(settings: BackupSettings, args: argparse.Namespace) -> int:
    stop = threading.Event()
    stop_on_signals(stop)
    BackupDaemon(settings, stop).run(backup_at_start=args.once_at_start or settings.backup_on_start)
    return EXIT_OK


def _list(settings: BackupSettings, _args: argparse.Namespace) -> int:
    try:
        archives = list_archives(settings.backup_dir)
    except OSError as error:
        logger.error("cannot list archives", extra={"error": str(error)})
        return EXIT_FAILED
    for archive in archives:
        print(f"{archive.name}\t{archive.size_bytes}\t{archive.created.isoformat()}")
    return EXIT_OK


def _restore(settings: BackupSettings, args: argparse.Namespace) -> int:
    archive = _resolve_archive(args.archive, settings.backup_dir)
    try:
        restored = restore_archive(archive, args.target_dir)
    except (RestoreError, OSError) as error:
        logger.error("restore failed", extra={"archive": str(archive), "error": str(error)})
        return EXIT_FAILED
    logger.info(
        "restore finished",
        extra={"archive": str(archive), "target": str(args.target_dir), "members": restored},
    )
    return EXIT_OK


def _resolve_archive(given: str, backup_dir: Path) -> Path:
    """A bare name that is not a file here means an archive in the backup folder."""
    path = Path(given)
    if not path.exists() and path.name == given:
        return backup_dir / given
    return path
