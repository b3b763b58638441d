from dashboard.backup.cli import main

raise SystemExit(main())
