from brokerguard.cli import main

raise SystemExit(main())
