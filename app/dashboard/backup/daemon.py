"""The long-running backup job: back up on a cron schedule, then apply retention."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from croniter import croniter

from dashboard.backup.job import Clock, log_failure, run_backup, utc_now
from dashboard.backup.retention import prune_archives
from dashboard.backup.settings import BackupSettings

logger = logging.getLogger(__name__)


class BackupDaemon:
    """Runs until ``stop`` is set. A failed backup is logged and recorded in the status
    file (by ``run_backup``) and the daemon waits for the next scheduled time.

    The next fire time is computed from "now" after each backup, so fire times missed
    while a backup ran or the machine slept are skipped rather than replayed.
    """

    def __init__(
        self,
        settings: BackupSettings,
        stop: threading.Event,
        clock: Clock = utc_now,
        wake_interval_seconds: float = 0.5,
    ) -> None:
        self._settings = settings
        self._stop = stop
        self._clock = clock
        self._wake_interval_seconds = wake_interval_seconds

    def run(self, backup_at_start: bool) -> None:
        logger.info(
            "backup daemon started",
            extra={
                "schedule": self._settings.backup_schedule,
                "retention_days": self._settings.backup_retention_days,
                "backup_dir": str(self._settings.backup_dir),
            },
        )
        if backup_at_start:
            self._backup_then_prune()
        while not self._stop.is_set():
            fire_at = croniter(self._settings.backup_schedule, self._clock()).get_next(datetime)
            logger.info("next backup scheduled", extra={"at": fire_at.isoformat()})
            if self._sleep_until(fire_at):
                self._backup_then_prune()
        logger.info("backup daemon stopped")

    def _sleep_until(self, fire_at: datetime) -> bool:
        """Wait for ``fire_at`` in short steps; False if a stop was requested first.

        Short steps keep shutdown prompt and follow wall-clock jumps (NTP, suspend),
        which one long sleep would not.
        """
        while not self._stop.is_set():
            remaining = (fire_at - self._clock()).total_seconds()
            if remaining <= 0:
                return True
            self._stop.wait(min(remaining, self._wake_interval_seconds))
        return False

    def _backup_then_prune(self) -> None:
        try:
            run_backup(self._settings, self._stop, self._clock)
        except Exception as error:
            log_failure(error)
            return
        # Only after a success: while backups fail, the old archives are all there is.
        try:
            prune_archives(
                self._settings.backup_dir, self._settings.backup_retention_days, self._clock()
            )
        except OSError:
            logger.exception("retention failed")
