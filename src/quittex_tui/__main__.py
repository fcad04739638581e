from quittex_tui.cli import main

raise SystemExit(main())
