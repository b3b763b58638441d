from dashboard.monitor.cli import main

raise SystemExit(main())
