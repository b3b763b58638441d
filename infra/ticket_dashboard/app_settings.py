"""The app's settings classes, the contract between the program and the containers.

The program imports them from app/, the source of the image it deploys (the tests put app/
on the path themselves): the stack's loader checks values with their rules, and the
components render each container's env list from them (workload.environment).
"""

import sys

from ticket_dashboard.project import APP_DIR

if str(APP_DIR) not in sys.path:
    sys.path.append(str(APP_DIR))

from dashboard.backup.settings import BackupSettings  # noqa: E402
from dashboard.envconfig import SettingsT, env_name  # noqa: E402
from dashboard.monitor.settings import MonitorSettings  # noqa: E402
from dashboard.settings import Settings as DashboardSettings  # noqa: E402

__all__ = ["BackupSettings", "DashboardSettings", "MonitorSettings", "SettingsT", "env_name"]
